/**
 * The libraries the benchmark knows, in table order, and how each runs the two kinds.
 *
 * `interval`: `'native'` when the library has an interval trigger (its own child run),
 * `'cron'` when it has none, in which case the interval table shows its cron run, marked.
 * `cron`: whether it runs `* * * * * *` (a seconds field).
 */
export const LIBRARIES = [
  { name: 'bare-loop', interval: 'native', cron: true, how: 'one min-heap + one setTimeout' },
  { name: 'xcore', interval: 'native', cron: true, how: 'SchedulerService, MemoryStore' },
  { name: 'set-interval', interval: 'native', cron: false, how: 'setInterval per job' },
  { name: 'toad-scheduler', interval: 'native', cron: true, how: 'SimpleIntervalJob / CronJob' },
  { name: 'croner', interval: 'cron', cron: true, how: 'new Cron() per job' },
  { name: 'node-schedule', interval: 'cron', cron: true, how: 'scheduleJob()' },
  { name: 'node-cron', interval: 'cron', cron: true, how: 'schedule()' },
  { name: 'cron', interval: 'cron', cron: true, how: 'CronJob.from()' },
];
