/**
 * The piscina worker of the `thread` executor: one task is one attempt of one run.
 *
 * The task carries a MessagePort: log lines go to the host through it, and the host sends
 * `{ type: 'abort', reason }` through it to abort the job's signal (drain, plugin stop). A timeout
 * does not come here: the host terminates this thread and piscina starts a new one. The task also
 * carries the worker's buffer budget (`buffer-budget.mjs`); an overrun is sent as `{ type: 'oom' }`.
 */
import { loadJob, runJob, serializeError } from './job-runtime.mjs';
import { constants } from 'node:os';
import { threadId } from 'node:worker_threads';
import { setBufferBudget, watchBufferBudget } from './buffer-budget.mjs';

// A signal a job sends its own process (`process.kill(process.pid, 'SIGSEGV')`) would end the host
// with every other job: on a worker thread it ends this worker instead, with exit code 128 + the
// signal's number (the run is recorded as crashed). Signal 0 (an existence check) and other
// processes' pids go through.
const kill = process.kill.bind(process);
process.kill = function killFromWorker(pid, signal = 'SIGTERM') {
  const number = typeof signal === 'number' ? signal : constants.signals[signal];
  if ((Number(pid) === process.pid || Number(pid) === 0) && number !== 0 && number !== undefined) process.exit(128 + number);
  return kill(pid, signal);
};

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
  // Past its buffer budget the job gets an error instead of the memory, and the host is told
  // (it records out_of_memory and ends this worker).
  setBufferBudget(task.maxBufferBytes, (info) => port.postMessage({ type: 'oom', ...info }));
  const unwatch = watchBufferBudget();
  // Which worker runs this task: the host samples its external memory from outside where Node can
  // (Worker#getHeapStatistics), which works while the job never yields.
  port.postMessage({ type: 'thread', threadId });
  const controller = new AbortController();
  port.on('message', (message) => {
    if (message?.type === 'abort') controller.abort(Object.assign(new Error(message.reason), { name: 'AbortError', code: 'XCORE_ERR_JOB_ABORTED' }));
  });
  try {
    return await runJob(task, controller.signal, (message) => port.postMessage(message));
  } finally {
    unwatch();
    // After the last log line on this port: the host holds the answer until it sees this.
    port.postMessage({ type: 'end' });
    port.close();
  }
}
