/**
 * The child process of the `process` executor: one child is one attempt of one run.
 *
 * Protocol over the IPC channel (advanced serialization, so values are structured-cloned):
 * host -> child `{ type: 'run', task }` then possibly `{ type: 'abort', reason }`;
 * child -> host `{ type: 'log', level, obj, msg }` lines and one `{ type: 'done', ok, result | error }`.
 * The child exits once it has sent its answer, and at once when the host goes away (the IPC
 * channel closes): it never outlives the host that started it.
 */
import { runJob } from './job-runtime.mjs';

const controller = new AbortController();
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message?.type === 'abort') {
    controller.abort(Object.assign(new Error(message.reason), { name: 'AbortError', code: 'XCORE_ERR_JOB_ABORTED' }));
    return;
  }
  if (message?.type !== 'run') return;
  const send = (m) => process.send?.(m);
  void runJob(message.task, controller.signal, send).then((answer) => {
    // Exit once the answer is out: timers or sockets the job left open must not keep it alive.
    process.send?.({ type: 'done', ...answer }, () => process.exit(0));
  });
});
