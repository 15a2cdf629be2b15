/**
 * The piscina worker of the `thread` executor: one task is one attempt of one run.
 *
 * The task carries a MessagePort: log lines go to the host through it, and the host sends
 * `{ type: 'abort', reason }` through it to abort the job's signal (drain, plugin stop). A timeout
 * does not come here: the host terminates this thread and piscina starts a new one.
 */
import { loadJob, runJob, serializeError } from './job-runtime.mjs';

export default async function run(task) {
  if (task.probe === true) {
    try {
      await loadJob(task.module, task.export);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  }
  const { port } = task;
  const controller = new AbortController();
  port.on('message', (message) => {
    if (message?.type === 'abort') controller.abort(Object.assign(new Error(message.reason), { name: 'AbortError', code: 'XCORE_ERR_JOB_ABORTED' }));
  });
  try {
    return await runJob(task, controller.signal, (message) => port.postMessage(message));
  } finally {
    // After the last log line on this port: the host holds the answer until it sees this.
    port.postMessage({ type: 'end' });
    port.close();
  }
}
