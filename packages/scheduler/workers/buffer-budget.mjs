/**
 * The buffer budget of a `thread` worker: memory outside the V8 heap (Buffers, ArrayBuffers,
 * SharedArrayBuffers, typed arrays) that `resourceLimits` does not cap.
 *
 * Each worker thread has its own array-buffer allocator, so `process.memoryUsage().arrayBuffers`
 * read in a worker counts that worker's backing stores only (the host's and other workers' are
 * not in it). Every way job code commonly asks for such memory is checked BEFORE the memory is
 * taken: `Buffer.alloc`, `Buffer.allocUnsafe`, `Buffer.allocUnsafeSlow` (which Node's own
 * `Buffer.concat`, `fs.readFileSync` and friends call too), and the global `ArrayBuffer`,
 * `SharedArrayBuffer` and typed-array constructors (wrapped in proxies: `instanceof`, subclasses
 * and statics behave as before). A request that would take the worker past its budget throws
 * `XCORE_ERR_JOB_OUT_OF_MEMORY` instead of allocating, and `report` tells the host, which records
 * the run as `out_of_memory` and ends the worker. Small requests are summed and the allocator is
 * read once per `step` bytes, so the check costs nothing measurable; the budget can be overshot
 * by at most one step. While a task runs, a timer also reads the allocator every 100 ms (catching
 * memory taken by paths not checked here, when the job lets its event loop turn).
 *
 * The host also samples the worker's external memory from outside where Node.js can
 * (`Worker#getHeapStatistics`, Node 22.16+ and 24), which works while the job never yields. Not
 * covered: memory taken through unchecked paths (native allocations such as `crypto.randomBytes`,
 * zlib, addons, WebAssembly) by a job that never yields on Node 20 (the `process` executor's RSS
 * watchdog covers those).
 */

const MB = 1024 * 1024;
const SAMPLE_MS = 100;

let budget = Infinity;
let step = 64 * MB;
let pending = 0;
let report = () => undefined;
let installed = false;
let sampler;

function overBudget(used, requested) {
  const error = new RangeError(
    `this worker thread's Buffers and ArrayBuffers would pass their cap of ${Math.round(budget / MB)} MB ` +
      `(${Math.round(used / MB)} MB in use, ${Math.round(requested / MB)} MB requested; services.scheduler.executors.thread.maxBufferMb)`,
  );
  error.code = 'XCORE_ERR_JOB_OUT_OF_MEMORY';
  report({ used, requested, budget });
  return error;
}

/** Throws before `bytes` more would take this worker past its budget. */
function check(bytes) {
  if (!(bytes > 0) || budget === Infinity) return;
  if (bytes < step && (pending += bytes) < step) return;
  pending = 0;
  const used = process.memoryUsage().arrayBuffers;
  if (used + bytes > budget) throw overBudget(used, bytes);
}

function wrapStatic(owner, name, sizeOf) {
  const original = owner[name];
  if (typeof original !== 'function') return;
  Object.defineProperty(owner, name, {
    ...Object.getOwnPropertyDescriptor(owner, name),
    value: {
      [name](...args) {
        check(sizeOf(args));
        return Reflect.apply(original, this, args);
      },
    }[name],
  });
}

function wrapConstructor(name, sizeOf) {
  const original = globalThis[name];
  if (typeof original !== 'function') return;
  const proxy = new Proxy(original, {
    construct(target, args, newTarget) {
      check(sizeOf(args));
      return Reflect.construct(target, args, newTarget === proxy ? target : newTarget);
    },
  });
  Object.defineProperty(globalThis, name, { ...Object.getOwnPropertyDescriptor(globalThis, name), value: proxy });
}

const TYPED = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Float16Array'];

function install() {
  installed = true;
  const first = (args) => (typeof args[0] === 'number' ? args[0] : 0);
  for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow']) wrapStatic(Buffer, name, first);
  // new ArrayBuffer(length, { maxByteLength }): a resizable buffer may grow to maxByteLength.
  const arrayBufferSize = (args) => Math.max(first(args), typeof args[1]?.maxByteLength === 'number' ? args[1].maxByteLength : 0);
  wrapConstructor('ArrayBuffer', arrayBufferSize);
  wrapConstructor('SharedArrayBuffer', arrayBufferSize);
  for (const name of TYPED) {
    const bytesPer = globalThis[name]?.BYTES_PER_ELEMENT ?? 1;
    wrapConstructor(name, (args) => first(args) * bytesPer);
  }
}

/**
 * Sets this worker's budget (bytes) and where an overrun is reported; installs the checks on the
 * first call.
 */
export function setBufferBudget(bytes, onOverrun) {
  budget = bytes > 0 ? bytes : Infinity;
  step = Math.max(MB, Math.min(64 * MB, Math.floor(budget / 16)));
  report = onOverrun;
  if (!installed && budget !== Infinity) install();
}

/** Starts the sampler for one task; returns what stops it. */
export function watchBufferBudget() {
  if (budget === Infinity) return () => undefined;
  sampler = setInterval(() => {
    const used = process.memoryUsage().arrayBuffers;
    if (used > budget) overBudget(used, 0);
  }, SAMPLE_MS);
  sampler.unref();
  return () => clearInterval(sampler);
}
