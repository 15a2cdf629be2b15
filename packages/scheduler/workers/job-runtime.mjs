/**
 * What a job sees inside a worker thread or a child process: its module loaded once per
 * thread/process, its context (jobId, scheduledAt, attempt, args, signal, logger), and the
 * conversion of whatever it returns or throws into something that crosses back to the host.
 *
 * Plain JavaScript (not TypeScript): the same file runs from `src/` in tests and from the
 * published package, with no build step in between.
 */

const modules = new Map();

/** The module `specifier` (a file URL or package name), imported once; TypeScript through tsx. */
export function loadModule(specifier) {
  let loading = modules.get(specifier);
  if (loading === undefined) {
    loading = /\.[cm]?tsx?$/.test(specifier)
      ? import('tsx/esm/api').then(({ tsImport }) => tsImport(specifier, import.meta.url))
      : import(specifier);
    modules.set(specifier, loading);
  }
  return loading;
}

/** The function `exportName` of `specifier`, or an Error saying what is there instead. */
export async function loadJob(specifier, exportName) {
  const namespace = await loadModule(specifier);
  const value = namespace[exportName];
  if (typeof value !== 'function') {
    const available = Object.keys(namespace).filter((k) => k !== '__esModule');
    throw new Error(value === undefined
      ? `${specifier} has no export "${exportName}" (exports: ${available.join(', ') || 'none'})`
      : `export "${exportName}" of ${specifier} is a ${typeof value}, not a function`);
  }
  return value;
}

/** `value` if it survives structured cloning, else what of it can be said as text. */
function cloneable(value) {
  if (value === undefined) return undefined;
  try {
    structuredClone(value);
    return value;
  } catch {
    try {
      return JSON.parse(JSON.stringify(value));
    } catch {
      return String(value);
    }
  }
}

/** A thrown value as plain data: name, message, stack and code of an Error, else its text. */
export function serializeError(error) {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack, code: typeof error.code === 'string' ? error.code : undefined };
  }
  let text;
  try {
    text = typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  } catch {
    text = Object.prototype.toString.call(error);
  }
  return { name: 'NonError', message: text };
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * A pino-shaped logger whose lines are sent to the host (`send({ type: 'log', level, obj, msg })`),
 * where they are logged under the job's child logger.
 */
export function makeLogger(send, bindings = {}) {
  const logger = { child: (more) => makeLogger(send, { ...bindings, ...cloneable(more) }) };
  for (const level of LEVELS) {
    logger[level] = (first, ...rest) => {
      let obj = bindings;
      let msg;
      if (typeof first === 'string') msg = [first, ...rest].join(' ');
      else {
        const own = first instanceof Error ? { err: serializeError(first) } : cloneable(first);
        obj = { ...bindings, ...(own !== null && typeof own === 'object' ? own : { value: own }) };
        if (obj.err instanceof Error) obj.err = serializeError(obj.err);
        msg = rest.length > 0 ? rest.join(' ') : undefined;
      }
      try {
        send({ type: 'log', level, obj, msg });
      } catch {
        // The host is gone (the run ended): the line has nowhere to go.
      }
    };
  }
  return logger;
}

/**
 * Runs one attempt of a job: resolves to `{ ok: true, result }` or `{ ok: false, error }`, never
 * rejects (a job's own failure is data, not a crash of the thread or process).
 */
export async function runJob(task, signal, send) {
  let fn;
  try {
    fn = await loadJob(task.module, task.export);
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
  const ctx = {
    jobId: task.jobId,
    scheduledAt: new Date(task.scheduledAt),
    attempt: task.attempt,
    args: task.args,
    signal,
    // The host logs each line under the run's { job, attempt, executor } logger.
    logger: makeLogger(send),
  };
  try {
    const result = await fn(ctx);
    return { ok: true, result: cloneable(result) };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}
