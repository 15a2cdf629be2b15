/**
 * Cron next-time math on croner 11, shared per (expression, timezone) and DST-correct.
 *
 * @remarks
 * croner is used for parsing and for next-time search only: its `Cron` objects are built paused
 * and without a callback, so they never start a timer.
 *
 * **Memory.** A croner `Cron` holds a 10,000-entry year table (about 80 KB). The table is only
 * read for 7-field patterns with a year; xcore accepts 5 or 6 fields, so it is replaced by one
 * shared empty array, leaving about 3 KB per parsed pattern. Parsed patterns live in one bounded
 * cache keyed by (expression, timezone), so 100k jobs on a handful of expressions hold a handful
 * of patterns.
 *
 * **Speed.** croner's timezone-aware search formats dates with `Intl` at every step (about 70 to
 * 190 µs per next time on Node 20); its fixed-offset search is about 30x cheaper. So the next time
 * is computed in the zone's current UTC offset (from {@link offsetSegment}) and accepted when the
 * whole span from `after` to the result lies in one offset segment, outside a fall-back repeat.
 * Otherwise (a few hours a year per zone) the timezone-aware search answers. Both give the same
 * result by construction; the tests compare them across DST changes.
 *
 * **Memo.** Cron results are whole seconds, so the next time after `after` equals the next time
 * after `after` rounded down to its second; that rounded instant is the memo key. Each cache entry
 * keeps a small direct-mapped table of (key -> next) answers, so 100k jobs on one expression that
 * fire together cost one search per distinct second, also when each job's plan walks the same
 * backlog of several occurrences (after a stall) or registrations interleave with firing. The
 * memo holds numbers only (no `Date`), and a hit allocates nothing.
 *
 * **DST** (see `docs/dst.md`): croner's `fixedTimeRule: 'no-wildcard'`, which is Vixie cron's
 * rule. A *fixed-time* expression (no `*`, `?` or step in the seconds, minutes and hours fields,
 * e.g. `30 2 * * *` or `0 30 1,13 * * *`) whose local time is skipped by a spring-forward runs
 * once at the first instant after the gap (02:30 in New York on the spring day runs at 03:00
 * EDT), and a local time repeated by a fall-back runs once, at its first occurrence. Any other
 * expression (`*\/15 * * * *`, `0 * * * *`) follows the real clock: times inside a gap do not
 * exist, and both passes through a repeated hour run.
 */
import { Cron, type CronOptions } from 'croner';
import { CronInvalidError } from '../errors.js';
import { cronFieldProblem, quoteInput } from './cron-fields.js';
import { formatterFor, offsetSegment } from './timezone.js';

/** Macros xcore accepts (croner's nicknames, without `@reboot`-style extras). */
const MACROS: ReadonlySet<string> = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * Maximum parsed (expression, timezone) pairs kept. About 3 KB each (two trimmed croner objects
 * at most 6 KB), so the cap bounds the cache near 25 MB even for pathological apps.
 */
const CACHE_LIMIT = 4_096;

/** Shared replacement for croner's 80 KB year table (unused for patterns without a year field). */
const NO_YEAR_TABLE: number[] = [];

/** Reference instant for the "does it ever match" check: 2000-01-01T00:00:00Z. */
const REFERENCE_INSTANT = 946_684_800_000;

const SECOND = 1_000;

/**
 * Answers remembered per parsed pattern (a power of two). Every job on a pattern that is behind by
 * k occurrences walks the same k + 1 keys. With 32 slots, any 21 consecutive seconds (or 11 keys
 * evenly spaced by a common step: 5 s, 1 min, 15 min, 1 h, 1 day) land in distinct slots, so a
 * backlog of that size costs one search per key for all jobs together; past it, only colliding
 * keys are searched again. 512 bytes of answers per pattern, about 2 MB at {@link CACHE_LIMIT}.
 */
const MEMO_SLOTS = 32;
/** `32 - log2(MEMO_SLOTS)`: the shift that keeps the top bits of the slot hash. */
const MEMO_SHIFT = 27;
/** 2^32 / golden ratio: Fibonacci hashing sends consecutive (or evenly spaced) seconds to distinct slots. */
const FIBONACCI = 0x9e3779b1;

interface CronEntry {
  readonly expression: string;
  readonly timezone: string;
  /** Fixed UTC-offset search (fast path), on local wall time expressed as UTC. */
  readonly wall: Cron;
  /** Timezone-aware search, built on first use near an offset change. */
  zoned: Cron | undefined;
  /** Whether the pattern matches any instant after 2000, computed on first use. */
  everMatches: boolean | undefined;
  /** Memo keys (whole-second `after`), `NaN` when empty (never equal to a key). */
  readonly memoKeys: Float64Array;
  /** Memo answers for the keys, `NaN` for `null` (no later match). */
  readonly memoNext: Float64Array;
}

const cache = new Map<string, Map<string, CronEntry>>();
let cacheSize = 0;
/** The entry of the last lookup: consecutive calls on one pattern skip both map probes. */
let lastEntry: CronEntry | undefined;
/** Calls of {@link cronNextAfter} and searches they ran (memo misses), for {@link cronStats}. */
let lookups = 0;
let searches = 0;

function trimYearTable(cron: Cron): Cron {
  // Reaches into croner internals for memory only; if the shape changes, nothing breaks but size.
  const pattern = (cron as unknown as { _states?: { pattern?: { starYear?: unknown; year?: unknown } } })._states?.pattern;
  if (pattern !== undefined && pattern.starYear === true && Array.isArray(pattern.year)) pattern.year = NO_YEAR_TABLE;
  return cron;
}

function cleanReason(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw.replace(/^(CronPattern|Cron): ?/, '').replace(/\.$/, '');
}

function parse(expression: string, options: CronOptions): Cron {
  const trimmed = expression.trim();
  if (trimmed === '') throw new CronInvalidError(expression, 'it is empty', { forms: true });
  if (trimmed.startsWith('@') && !MACROS.has(trimmed.toLowerCase())) {
    throw new CronInvalidError(expression, `unknown macro ${quoteInput(trimmed)} (known: ${[...MACROS].join(', ')})`, { forms: true });
  }
  if (!trimmed.startsWith('@')) {
    const fields = trimmed.split(/\s+/).length;
    if (fields !== 5 && fields !== 6) {
      throw new CronInvalidError(expression, `it has ${fields} field${fields === 1 ? '' : 's'}, expected 5 or 6`, { forms: true });
    }
    const problem = cronFieldProblem(trimmed);
    if (problem !== undefined) throw new CronInvalidError(expression, problem);
  }
  try {
    return trimYearTable(new Cron(trimmed, { ...options, paused: true, mode: '5-or-6-parts', domAndDow: false }));
  } catch (err) {
    throw new CronInvalidError(expression, cleanReason(err), { cause: err });
  }
}

function entryFor(expression: string, timezone: string): CronEntry {
  if (lastEntry !== undefined && lastEntry.expression === expression && lastEntry.timezone === timezone) return lastEntry;
  let byExpr = cache.get(timezone);
  const hit = byExpr?.get(expression);
  if (hit !== undefined) {
    lastEntry = hit;
    return hit;
  }
  formatterFor(timezone);
  const wall = parse(expression, { utcOffset: 0 });
  const entry: CronEntry = {
    expression,
    timezone,
    wall,
    zoned: undefined,
    everMatches: undefined,
    memoKeys: new Float64Array(MEMO_SLOTS).fill(Number.NaN),
    memoNext: new Float64Array(MEMO_SLOTS),
  };
  if (cacheSize >= CACHE_LIMIT) evictOne();
  if (byExpr === undefined) {
    byExpr = new Map();
    cache.set(timezone, byExpr);
  }
  byExpr.set(expression, entry);
  cacheSize++;
  lastEntry = entry;
  return entry;
}

function evictOne(): void {
  // Oldest inserted first (FIFO): cheap, and a re-parse costs tens of µs, so LRU is not worth it.
  for (const [tz, byExpr] of cache) {
    for (const [key, entry] of byExpr) {
      if (entry === lastEntry) lastEntry = undefined;
      byExpr.delete(key);
      cacheSize--;
      if (byExpr.size === 0) cache.delete(tz);
      return;
    }
  }
}

function zonedNext(entry: CronEntry, after: number): number | null {
  if (entry.zoned === undefined) {
    entry.zoned = parse(entry.expression, { timezone: entry.timezone, fixedTimeRule: 'no-wildcard' });
  }
  const next = entry.zoned.nextRun(new Date(after));
  return next === null ? null : next.getTime();
}

function computeNext(entry: CronEntry, after: number): number | null {
  const seg = offsetSegment(entry.timezone, after);
  if (after >= seg.foldUntil) {
    const local = entry.wall.nextRun(new Date(after + seg.offsetMs));
    if (local === null) return null;
    const candidate = local.getTime() - seg.offsetMs;
    if (candidate < seg.to) return candidate;
  }
  return zonedNext(entry, after);
}

/**
 * The first time strictly after `after` (epoch ms) that matches `expression` in `timezone`, or
 * `null` when it never matches again.
 *
 * @remarks
 * Results are whole seconds. Day-of-month and day-of-week combine with OR when both are
 * restricted (crontab semantics: `0 9 1 * MON` runs on the 1st and on every Monday); prefix the
 * day-of-week with `+` (`0 9 1 * +MON`) for AND. Also supported: `L` (last day, `5#L` last
 * Friday), `W` (nearest weekday, `15W`), `#` (nth weekday, `MON#2`), names (`JAN`, `MON`).
 * See the file comment for the DST rule, speed and memory.
 *
 * @throws `CronInvalidError` or `TimezoneInvalidError` when the expression or zone is invalid.
 * @example
 * ```ts
 * cronNextAfter('30 2 * * *', 'America/New_York', Date.parse('2026-03-08T05:00:00Z'));
 * // Date.parse('2026-03-08T07:00:00Z'): 02:30 does not exist that day, so 03:00 EDT
 * ```
 */
export function cronNextAfter(expression: string, timezone: string, after: number): number | null {
  const entry = entryFor(expression, timezone);
  lookups++;
  // Results are whole seconds, so rounding `after` down to its second changes no answer.
  const key = Math.floor(after / SECOND) * SECOND;
  // Direct-mapped on the second (its low 32 bits; a collision only costs a search).
  const slot = Math.imul(key / SECOND, FIBONACCI) >>> MEMO_SHIFT;
  if (entry.memoKeys[slot] === key) {
    const hit = entry.memoNext[slot] as number;
    return Number.isNaN(hit) ? null : hit;
  }
  searches++;
  const next = computeNext(entry, key);
  entry.memoKeys[slot] = key;
  entry.memoNext[slot] = next === null ? Number.NaN : next;
  return next;
}

/**
 * Like {@link cronNextAfter} (same fast path) but without the memo. For tests that check the
 * memo changes no answer.
 *
 * @internal
 */
export function cronNextAfterUnmemoised(expression: string, timezone: string, after: number): number | null {
  return computeNext(entryFor(expression, timezone), after);
}

/**
 * Like {@link cronNextAfter} but always through croner's timezone-aware search (no fast path,
 * no memo). For tests that check the fast path agrees with it.
 *
 * @internal
 */
export function cronNextAfterZoned(expression: string, timezone: string, after: number): number | null {
  return zonedNext(entryFor(expression, timezone), after);
}

/**
 * `true` when `expression` matches at least one instant after 2000-01-01 (it is parsed and cached
 * on the way, so parse errors throw).
 *
 * @throws `CronInvalidError` or `TimezoneInvalidError`.
 * @internal
 */
export function cronEverMatches(expression: string, timezone: string): boolean {
  const entry = entryFor(expression, timezone);
  if (entry.everMatches === undefined) entry.everMatches = entry.wall.nextRun(new Date(REFERENCE_INSTANT)) !== null;
  return entry.everMatches;
}

/** How many parsed (expression, timezone) pairs the cache holds now. @internal */
export function cronCacheSize(): number {
  return cacheSize;
}

/** Counters of {@link cronStats}. @internal */
export interface CronStats {
  /** Calls of {@link cronNextAfter} since the process started. */
  readonly lookups: number;
  /** Of those, how many searched (memo misses); the rest were answered from the memo. */
  readonly searches: number;
}

/** How many next-time lookups ran and how many of them missed the memo. @internal */
export function cronStats(): CronStats {
  return { lookups, searches };
}
