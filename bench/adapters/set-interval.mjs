/**
 * Plain `setInterval`, one timer per job: what many apps do before reaching for a library.
 * Each job's phase is its registration time; Node re-arms an interval from when its callback
 * ran, so lateness accumulates from one fire to the next.
 */
export async function create({ h }) {
  const { fire, anchors, now } = h;
  const timers = [];
  return {
    register(n) {
      for (let i = 0; i < n; i++) {
        anchors[i] = now();
        timers.push(setInterval(() => fire(i), 1000));
      }
    },
    stop() {
      for (const t of timers) clearInterval(t);
    },
  };
}
