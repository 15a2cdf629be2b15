// The jobs of examples/cpu-bound. Plain JavaScript modules: the thread and process executors
// import them in a worker or a child, never in the host.

/** CPU-bound: counts the primes below `limit` by trial division (about a second for 3,000,000). */
export function countPrimes(ctx) {
  const [limit] = ctx.args;
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  ctx.logger.info({ limit, count }, 'primes counted');
  return count;
}

/** Runs past its timeout on purpose: the worker is terminated at the deadline and the run recorded timed_out. */
export function spin(ctx) {
  const until = Date.now() + 5_000;
  while (Date.now() < until) { /* ignores ctx.signal */ }
}

/** Grows its heap until the child's cap stops it: the run is recorded out_of_memory, the host goes on. */
export function leak() {
  const keep = [];
  for (;;) keep.push(new Array(100_000).fill(Math.random()));
}
