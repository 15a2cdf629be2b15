/**
 * Markdown tables from measurement results.
 */

const fmtN = (n) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));
const int = (x) => Math.round(x).toLocaleString('en-US');
const ms = (x) => (x === null || x === undefined ? '–' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : int(x));
const num = (x, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const ratio = (a, b) => (a === null || b === null || a === undefined || b === undefined || !(b > 0) ? '–' : `${(a / b).toFixed(2)}×`);

/** Human text for a failed run. */
function failure(r) {
  const label = { timeout: 'TIMEOUT', oom: 'OUT OF MEMORY', crash: 'CRASHED', error: 'ERROR', skipped: 'SKIPPED' }[r.status] ?? r.status;
  const why = r.status === 'error' ? String(r.error).split('\n')[0] : r.error;
  return `**${label}**: ${why}`;
}

/** One row of the main table. */
export function row(r, label, derived = false) {
  if (r.status !== 'ok') return `| ${label} | ${fmtN(r.n)} | ${failure(r)} | | | | | |`;
  const all = r.delivered === r.expected;
  const delivered = `${int(r.delivered)}/${int(r.expected)}${all ? '' : r.delivered > r.expected ? ' ⚠ extra' : ' ⚠'}`;
  const d = derived ? ' †' : '';
  return `| ${label} | ${fmtN(r.n)} | ${delivered} | ${ms(r.lateness.p50)}${d} | ${ms(r.lateness.p99)}${d} | ${num(r.cpuUsPerFire)} | ${int(r.heapBytesPerJob)} | ${ms(r.registerMs)} |`;
}

export const HEADER = [
  '| library | N | delivered/expected | lateness p50 ms | p99 ms | CPU µs/fire | heap B/job | register ms |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
];

/**
 * The xcore-vs-bare-loop table with the targets.
 * @param {object[]} xcore results for xcore, one per N
 * @param {(n: number) => object | undefined} bareFor
 * @param {'interval' | 'cron'} kind
 * @param {'spread' | 'registration' | 'burst'} [phase] with `burst`, both kinds are checked against the
 *   burst targets (issue 15): p99 and CPU per fire within 2x at 10k and up, CPU within 3x at 1k
 */
export function ratioTable(xcore, bareFor, kind, phase = 'spread') {
  const lines = [
    '| N | delivered | p99 vs bare | CPU/fire vs bare | heap B/job | targets |',
    '|---:|---:|---:|---:|---:|---|',
  ];
  for (const x of xcore) {
    const b = bareFor(x.n);
    if (x.status !== 'ok') {
      lines.push(`| ${fmtN(x.n)} | ${failure(x)} | | | | |`);
      continue;
    }
    const ok = b && b.status === 'ok';
    const p99 = ok ? x.lateness.p99 / b.lateness.p99 : null;
    const cpu = ok ? x.cpuUsPerFire / b.cpuUsPerFire : null;
    const checks = [];
    checks.push(x.delivered >= x.expected ? 'all delivered ✓' : `${int(x.expected - x.delivered)} missing ✗`);
    if (phase === 'burst') {
      const cpuCap = x.n >= 10000 ? 2 : 3;
      if (x.n >= 10000 && p99 !== null) checks.push(p99 <= 2 ? 'p99 ≤ 2× ✓' : 'p99 ≤ 2× ✗');
      if (cpu !== null) checks.push(cpu <= cpuCap ? `CPU ≤ ${cpuCap}× ✓` : `CPU ≤ ${cpuCap}× ✗`);
      checks.push(x.heapBytesPerJob < 1024 ? 'heap < 1 KiB ✓' : 'heap < 1 KiB ✗');
    } else if (kind === 'interval') {
      if (x.n >= 10000 && p99 !== null) checks.push(p99 <= 2 ? 'p99 ≤ 2× ✓' : 'p99 ≤ 2× ✗');
      if (cpu !== null) checks.push(cpu <= 3 ? 'CPU ≤ 3× ✓' : 'CPU ≤ 3× ✗');
      checks.push(x.heapBytesPerJob < 1024 ? 'heap < 1 KiB ✓' : 'heap < 1 KiB ✗');
    }
    lines.push(`| ${fmtN(x.n)} | ${int(x.delivered)}/${int(x.expected)} | ${ok ? ratio(x.lateness.p99, b.lateness.p99) : '–'} | ${ok ? ratio(x.cpuUsPerFire, b.cpuUsPerFire) : '–'} | ${int(x.heapBytesPerJob)} | ${checks.join(', ')} |`);
  }
  return lines;
}

export { fmtN };

/** The repo's commit (and `+dirty` with uncommitted changes), so a table says what it measured. */
export function gitDescribe(execFileSync) {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', '../packages'], { encoding: 'utf8', cwd: new URL('.', import.meta.url) }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}
