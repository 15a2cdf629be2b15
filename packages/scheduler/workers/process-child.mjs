/**
 * The child process of the `process` executor: one child runs one attempt (or, with
 * `runsPerChild` above 1, several in turn).
 *
 * Protocol over the IPC channel (advanced serialization, so values are structured-cloned):
 * host -> child `{ type: 'run', id, env, keep, task }` then possibly `{ type: 'abort', id, reason }`;
 * child -> host `{ type: 'log', level, obj, msg }` lines and one `{ type: 'done', id, ok, result | error }`.
 * The child may be started before it has a job (a warm spare, with an empty environment): each run
 * replaces `process.env` with the variables the job declares (`env`) before its module is imported.
 * Unless the run says `keep`, the child exits once it has sent its answer; it exits at once when the
 * host goes away (the IPC channel closes), and the host's guardian kills it if it cannot see that.
 */
import { runJob } from './job-runtime.mjs';

let current;
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message?.type === 'abort') {
    if (current !== undefined && current.id === message.id) {
      current.controller.abort(Object.assign(new Error(message.reason), { name: 'AbortError', code: 'XCORE_ERR_JOB_ABORTED' }));
    }
    return;
  }
  if (message?.type !== 'run') return;
  const run = { id: message.id, controller: new AbortController() };
  current = run;
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, message.env ?? {});
  const send = (m) => process.send?.(m);
  void runJob(message.task, run.controller.signal, send).then((answer) => {
    if (current === run) current = undefined;
    if (message.keep === true) process.send?.({ type: 'done', id: run.id, ...answer });
    // Exit once the answer is out: timers or sockets the job left open must not keep it alive.
    else process.send?.({ type: 'done', id: run.id, ...answer }, () => process.exit(0));
  });
});
