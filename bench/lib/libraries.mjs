/**
 * The libraries the benchmark knows, in table order, and how each runs the two kinds.
 *
 * `interval`: `'native'` when the library has an interval trigger (its own child run),
 * `'cron'` when it has none, in which case the interval table shows its cron run, marked.
 * `cron`: whether it runs `* * * * * *` (a seconds field).
 * `told`: whether the callback is told its intended time (else the harness derives it from the
 * phase, which cannot see lateness of a second or more).
 */
export const LIBRARIES = [
  { name: 'bare-loop', interval: 'native', cron: true, how: 'one min-heap + one setTimeout', told: true },
  { name: 'xcore', interval: 'native', cron: true, how: 'SchedulerService, MemoryStore', told: true },
  { name: 'set-interval', interval: 'native', cron: false, how: 'setInterval per job', told: false },
  { name: 'toad-scheduler', interval: 'native', cron: true, how: 'SimpleIntervalJob / CronJob', told: false },
  { name: 'croner', interval: 'cron', cron: true, how: 'new Cron() per job', told: false },
  { name: 'node-schedule', interval: 'cron', cron: true, how: 'scheduleJob()', told: true },
  { name: 'node-cron', interval: 'cron', cron: true, how: 'schedule()', told: true },
  { name: 'cron', interval: 'cron', cron: true, how: 'CronJob.from()', told: false },
];
