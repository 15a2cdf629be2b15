/**
 * toad-scheduler 4: `SimpleIntervalJob({ seconds: 1 })` (one setInterval per job) for the
 * interval table, `CronJob({ cronExpression: '* * * * * *' })` (croner underneath) for the cron
 * table. The intended time is derived: the registration phase (interval) or whole seconds (cron).
 */
import { ToadScheduler, SimpleIntervalJob, CronJob, Task } from 'toad-scheduler';

export async function create({ kind, h }) {
  const { fire, anchors, now } = h;
  const scheduler = new ToadScheduler();
  return {
    register(n) {
      if (kind === 'cron') {
        for (let i = 0; i < n; i++) {
          scheduler.addCronJob(new CronJob({ cronExpression: '* * * * * *' }, new Task('t', () => fire(i))));
        }
      } else {
        for (let i = 0; i < n; i++) {
          anchors[i] = now();
          scheduler.addSimpleIntervalJob(new SimpleIntervalJob({ seconds: 1 }, new Task('t', () => fire(i))));
        }
      }
    },
    stop() {
      scheduler.stop();
    },
  };
}
