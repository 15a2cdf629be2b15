/**
 * node-cron 4: `schedule('* * * * * *', fn)`. No interval trigger, so the interval table reuses
 * the cron run. The callback's `context.date` is the intended time. Default options (node-cron
 * logs missed executions as warnings; stderr goes to the parent, which keeps only its tail).
 */
import cron from 'node-cron';

export async function create({ h }) {
  const { fire } = h;
  const tasks = [];
  return {
    register(n) {
      for (let i = 0; i < n; i++) tasks.push(cron.schedule('* * * * * *', (ctx) => fire(i, ctx.date.getTime())));
    },
    async stop() {
      for (const t of tasks) await t.destroy();
    },
  };
}
