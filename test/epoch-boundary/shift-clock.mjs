/**
 * A clock just before an epoch boundary, to see whether a suite on the real clock survives one.
 *
 * An interval job without `startDate` fires at whole multiples of its period since the epoch (`1h`
 * on the hour UTC, `5m` at :00, :05, ...), so a test that registers one and counts runs fails when
 * it happens to cross such an instant. Preloaded into every process (NODE_OPTIONS, so the
 * `xcore start` children too), this makes `Date` read the real clock plus a shift chosen so that
 * the next whole multiple of `XCORE_CLOCK_PERIOD_MS` (default 1 h, a multiple of every shorter
 * period the suites use) comes `XCORE_CLOCK_BOUNDARY_MS` after the process starts, and again after
 * the start of each test when `./each-test.mjs` is a setup file. Timers are not touched. Redis
 * keeps its own clock (`TIME`), so suites on Redis are not shifted.
 *
 * From the repository root, trying a few leads (a test fails only if the boundary falls inside it):
 *
 *     for D in 10 30 60 100 400 1500; do CI=true XCORE_CLOCK_BOUNDARY_MS=$D \
 *       NODE_OPTIONS="--import $PWD/test/epoch-boundary/shift-clock.mjs" \
 *       node node_modules/vitest/vitest.mjs run --config test/epoch-boundary/vitest.config.mjs <files>; done
 */
const lead = Number(process.env.XCORE_CLOCK_BOUNDARY_MS);
const period = Number(process.env.XCORE_CLOCK_PERIOD_MS ?? 3_600_000);
if (process.env.XCORE_CLOCK_BOUNDARY_MS !== undefined && Number.isFinite(lead) && lead >= 0 && period > 0) {
  const Real = globalThis.Date;
  const realNow = Real.now.bind(Real);
  let shift = 0;
  const now = () => realNow() + shift;
  // Forward only: the next boundary at least `lead` ms ahead of the shifted clock.
  const toNextBoundary = () => {
    shift = Math.ceil((now() + lead) / period) * period - lead - realNow();
  };
  function ShiftedDate(...args) {
    if (new.target === undefined) return new Real(now()).toString();
    return Reflect.construct(Real, args.length === 0 ? [now()] : args, new.target);
  }
  Object.setPrototypeOf(ShiftedDate, Real);
  ShiftedDate.prototype = Real.prototype;
  ShiftedDate.now = now;
  globalThis.Date = ShiftedDate;
  globalThis.__xcoreEpochBoundary = { toNextBoundary };
  toNextBoundary();
}
