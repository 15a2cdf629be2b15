/**
 * node-schedule 2: `scheduleJob('* * * * * *', fn)`. No interval trigger, so the interval table
 * reuses the cron run. The callback receives `fireDate`, the intended time.
 */
import schedule from 'node-schedule';

export async function create({ h }) {
  const { fire } = h;
  return {
    register(n) {
      for (let i = 0; i < n; i++) schedule.scheduleJob('* * * * * *', (fireDate) => fire(i, fireDate.getTime()));
    },
    async stop() {
      await schedule.gracefulShutdown();
    },
  };
}
