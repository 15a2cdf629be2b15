/**
 * croner 11: one `Cron` object per job, each with its own timer. croner has no interval trigger,
 * so the interval table reuses the `* * * * * *` run. The callback does not get the intended
 * time; it is derived (whole seconds).
 */
import { Cron } from 'croner';

export async function create({ h }) {
  const { fire } = h;
  const jobs = [];
  return {
    register(n) {
      for (let i = 0; i < n; i++) jobs.push(new Cron('* * * * * *', () => fire(i)));
    },
    stop() {
      for (const j of jobs) j.stop();
    },
  };
}
