/**
 * Test fixture: varied finished runs for the sink's tests (every outcome, results small and
 * large, non-ASCII, unserialisable, errors with stacks, long texts, NUL characters, many job ids,
 * and a few that make no valid record), deterministic so a failure can be replayed.
 */
import type { RunLogInput } from '@xcore/scheduler';

const OUTCOMES = ['succeeded', 'failed', 'timed_out', 'aborted', 'crashed', 'out_of_memory', 'skipped', 'missed'] as const;

/** A deterministic pseudo-random source (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The handler results a run may return: small and large, non-ASCII, at the inline sizes, too large, not JSON. */
function resultOf(i: number, pick: number): unknown {
  switch (pick % 14) {
    case 0: return undefined;
    case 1: return { processed: i };
    case 2: return { text: 'é€ 日本 ✓', n: i };
    case 3: return 'x'.repeat(60 + (i % 10)); // JSON of 62..71 bytes
    case 4: return { blob: 'y'.repeat(2000 + i) };
    case 5: return { blob: 'z'.repeat(9000) }; // too_large
    case 6: return new Map([[1, 2]]); // not_serializable
    case 7: return Number.NaN; // not_serializable
    case 8: return null;
    case 9: return { nul: 'a\u0000b' };
    case 10: return [1, 'two', { three: [true, false, null] }];
    case 11: return i;
    case 12: return new Date(Date.UTC(2026, 0, 1) + i);
    default: return { nested: { deeper: { list: [i, i + 1] } } };
  }
}

/**
 * Varied finished runs (job ids repeat, so strings are shared between runs; some make no valid record),
 * finishing from epoch ms `at` on.
 */
export function variedRuns(count: number, at: number): RunLogInput[] {
  const next = random(12);
  const out: RunLogInput[] = [];
  for (let i = 0; i < count; i++) {
    const r = (n: number): number => Math.floor(next() * n);
    const status = OUTCOMES[r(OUTCOMES.length)]!;
    const started = status !== 'skipped' && status !== 'missed' && r(10) > 0;
    const finishedAt = at + i + next(); // fractional: the record holds whole ms
    const jobId = r(20) === 0 ? `üñí:job-${i}` : `plugin-${r(7)}:job-${r(300)}`;
    const error = r(4) === 0 ? [new TypeError(`card ${i} declined`), 'a thrown string', new Error('m'.repeat(5000)), { toString: () => 'odd' }][r(4)] : undefined;
    const requested = [undefined, 'cli', `admin:user-${r(5)}`, 'has\u0000nul', 'r'.repeat(600)][r(5)];
    out.push({
      record: {
        jobId,
        scheduledAt: finishedAt - 50 - r(1000),
        startedAt: started ? finishedAt - r(40) - 0.4 : null,
        finishedAt: r(6) === 0 ? null : finishedAt,
        status,
        attempts: started ? 1 + r(3) : 0,
        ...(r(3) === 0 ? { error: `recorded error ${i}` } : {}),
        ...(r(8) === 0 ? {} : { owner: `host-${r(3)}:${100 + r(5)}` }),
        ...(r(5) === 0 ? { manual: true, ...(r(2) === 0 ? { requestedBy: `operator-${r(3)}` } : {}) } : {}),
      },
      jobOwner: r(10) === 0 ? 'config' : jobId.split(':')[0]!,
      ...(error === undefined ? {} : { error }),
      ...(r(3) === 0 ? {} : { result: resultOf(i, r(14)) }),
      ...(requested === undefined ? {} : { requestedBy: requested }),
      ...(status === 'missed' ? { occurrences: 1 + r(100) } : {}),
      decidedAt: finishedAt + 0.6,
    });
  }
  // A few that cannot make a valid record: counted as rejected, never stored.
  out.push({ record: { jobId: '', scheduledAt: at, startedAt: at, finishedAt: at, status: 'succeeded', attempts: 1 }, jobOwner: 'app' });
  out.push({ record: { jobId: 'j'.repeat(600), scheduledAt: at, startedAt: at, finishedAt: at, status: 'succeeded', attempts: 1 }, jobOwner: 'app' });
  out.push({ record: { jobId: 'app:nan', scheduledAt: Number.NaN, startedAt: at, finishedAt: at, status: 'succeeded', attempts: 1 }, jobOwner: 'app' });
  out.push({ record: { jobId: 'app:bad-attempts', scheduledAt: at, startedAt: at, finishedAt: at, status: 'succeeded', attempts: 1.5 }, jobOwner: 'app' });
  return out;
}

