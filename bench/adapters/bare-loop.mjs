/**
 * The bare loop: the floor of what Node can do for N periodic callbacks.
 *
 * One binary min-heap keyed by next fire time (two parallel JS arrays, on the V8 heap like every
 * library's state, so "heap per job" compares like with like), one callback closure per job, and
 * ONE setTimeout armed for the root. A tick fires every due entry in key order, advances its key
 * by exactly one period (key + 1000, so lateness never accumulates into the schedule) and sifts
 * it down in place, then re-arms the single timer. Node timers have millisecond granularity and
 * measure from the loop's cached time, so a tick can arrive a fraction of a millisecond before the
 * root is due: the tick then fires nothing and re-arms for the remainder.
 *
 * Interval kind: phases spread evenly over the second (`phaseAnchor`), the same as xcore's in
 * this benchmark, first fire at the next occurrence after registering; with `--phase
 * registration`, each job's phase is its registration time (like setInterval); with `--phase burst`,
 * every job shares one phase (all N due at the same whole second). Cron kind: every job fires
 * on whole seconds, like a `* * * * * *` cron expression.
 */
import { PERIOD_MS, phaseAnchor } from '../lib/harness.mjs';

export async function create({ kind, h, phase }) {
  const { fire, anchors, now } = h;
  const keys = [];
  const ids = [];
  const fns = [];
  let size = 0;
  let timer = null;
  let running = false;

  function siftUp(pos) {
    const k = keys[pos];
    const id = ids[pos];
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (keys[parent] <= k) break;
      keys[pos] = keys[parent];
      ids[pos] = ids[parent];
      pos = parent;
    }
    keys[pos] = k;
    ids[pos] = id;
  }

  function siftDown(pos) {
    const k = keys[pos];
    const id = ids[pos];
    const half = size >> 1;
    while (pos < half) {
      let child = 2 * pos + 1;
      const right = child + 1;
      if (right < size && keys[right] < keys[child]) child = right;
      if (keys[child] >= k) break;
      keys[pos] = keys[child];
      ids[pos] = ids[child];
      pos = child;
    }
    keys[pos] = k;
    ids[pos] = id;
  }

  function push(key, id) {
    keys.push(key);
    ids.push(id);
    siftUp(size++);
  }

  function tick() {
    timer = null;
    const t = now();
    while (size > 0 && keys[0] <= t) {
      const key = keys[0];
      fns[ids[0]](key);
      keys[0] = key + PERIOD_MS;
      siftDown(0);
    }
    arm();
  }

  function arm() {
    if (!running || size === 0 || timer !== null) return;
    const delay = keys[0] - now();
    timer = setTimeout(tick, delay > 0 ? Math.ceil(delay) : 0);
  }

  return {
    register(n) {
      const base = Math.floor(now() / PERIOD_MS) * PERIOD_MS;
      for (let i = 0; i < n; i++) {
        let first;
        if (kind === 'cron') {
          first = Math.ceil(now() / PERIOD_MS) * PERIOD_MS;
        } else {
          const anchor = phase === 'registration' ? now() : phase === 'burst' ? base : phaseAnchor(base, i, n);
          first = anchor + Math.ceil((now() - anchor) / PERIOD_MS) * PERIOD_MS;
        }
        fns.push((intended) => fire(i, intended));
        push(first, i);
      }
    },
    start() {
      running = true;
      arm();
    },
    stop() {
      running = false;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
