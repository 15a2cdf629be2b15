/**
 * cron 4 (npm `cron`): `CronJob.from({ cronTime: '* * * * * *', start: true })`, one timer per
 * job, luxon for time math. No interval trigger, so the interval table reuses the cron run. The
 * intended time is derived (whole seconds).
 */
import { CronJob } from 'cron';

export async function create({ h }) {
  const { fire } = h;
  const jobs = [];
  return {
    register(n) {
      for (let i = 0; i < n; i++) jobs.push(CronJob.from({ cronTime: '* * * * * *', onTick: () => fire(i), start: true }));
    },
    stop() {
      for (const j of jobs) j.stop();
    },
  };
}
