/**
 * IANA timezone validation and UTC-offset lookup, pure and cached.
 *
 * @remarks
 * The cron fast path (see `cron-schedule.ts`) computes next times in a fixed UTC offset, which is
 * cheap, and only asks croner's timezone-aware (and about 30x slower) search near an offset
 * change. This file answers "what is the offset at `t` and for how long does it hold": an
 * {@link OffsetSegment}, found with a few `Intl.DateTimeFormat` calls and cached per zone.
 *
 * No I/O, no timers: `Intl` reads the tz database compiled into Node.js.
 */
import { TimezoneInvalidError } from '../errors.js';

const SECOND = 1_000;
const DAY = 86_400_000;
/**
 * How far ahead a segment is probed for the next offset change, in days. A zone without changes
 * (UTC, Asia/Tokyo) gets a segment this long and is probed again when it ends.
 */
const PROBE_DAYS = 400;
/**
 * How far back a segment start is looked for. Only a recent offset change matters (a fall-back
 * repeats at most a few hours of wall time), and 26 h covers every shift in the tz database.
 */
const LOOKBACK_MS = 26 * 3_600_000;
/** Segments kept per zone: the current one, plus a few for catch-up planning that looks back. */
const SEGMENTS_PER_ZONE = 4;

/** A span of time in which a zone's UTC offset does not change. */
export interface OffsetSegment {
  /** First instant (epoch ms) known to have `offsetMs`. */
  readonly from: number;
  /** First instant (epoch ms) that may have another offset (exclusive end). */
  readonly to: number;
  /** Local wall clock minus UTC, in ms (e.g. `3_600_000` for CET). */
  readonly offsetMs: number;
  /**
   * Until this instant, wall times of this segment were already passed before `from` (a DST
   * fall-back repeats them), so fixed-offset math is not enough. Equals `from` when nothing repeats.
   */
  readonly foldUntil: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const segments = new Map<string, OffsetSegment[]>();

/**
 * The cached formatter of `timezone`, created on first use.
 *
 * @throws `TimezoneInvalidError` when `Intl` does not know the zone.
 * @internal
 */
export function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (f === undefined) {
    if (typeof timezone !== 'string' || timezone.trim() === '' || /^[+-]\d/.test(timezone)) {
      throw new TimezoneInvalidError(String(timezone));
    }
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (err) {
      throw new TimezoneInvalidError(timezone, { cause: err });
    }
    formatters.set(timezone, f);
  }
  return f;
}

/**
 * The UTC offset of `timezone` at instant `t`: local wall clock minus UTC, in ms.
 *
 * @remarks
 * Resolution is one second (the tz database has no finer offsets). Costs one `Intl` call; prefer
 * {@link offsetSegment}, which is cached.
 */
export function offsetAt(timezone: string, t: number): number {
  const whole = Math.floor(t / SECOND) * SECOND;
  const parts = formatterFor(timezone).formatToParts(whole);
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const p of parts) {
    switch (p.type) {
      case 'year': year = Number(p.value); break;
      case 'month': month = Number(p.value); break;
      case 'day': day = Number(p.value); break;
      case 'hour': hour = Number(p.value); break;
      case 'minute': minute = Number(p.value); break;
      case 'second': second = Number(p.value); break;
      default: break;
    }
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime() - whole;
}

/** First instant in `(lo, hi]` whose offset differs from `offset`, to the second; `hi` has another offset. */
function findChange(timezone: string, lo: number, hi: number, offset: number): number {
  let a = Math.floor(lo / SECOND);
  let b = Math.ceil(hi / SECOND);
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (offsetAt(timezone, mid * SECOND) === offset) a = mid;
    else b = mid;
  }
  return b * SECOND;
}

function computeSegment(timezone: string, t: number): OffsetSegment {
  const offsetMs = offsetAt(timezone, t);
  let to = t + PROBE_DAYS * DAY;
  let lo = t;
  for (let d = 1; d <= PROBE_DAYS; d++) {
    const p = t + d * DAY;
    if (offsetAt(timezone, p) !== offsetMs) {
      to = findChange(timezone, lo, p, offsetMs);
      break;
    }
    lo = p;
  }
  const back = t - LOOKBACK_MS;
  const before = offsetAt(timezone, back);
  if (before === offsetMs) return { from: back, to, offsetMs, foldUntil: back };
  // The change is the first instant in (back, t] that has the current offset.
  const from = findChange(timezone, back, t, before);
  return { from, to, offsetMs, foldUntil: from + Math.max(0, before - offsetMs) };
}

/**
 * The cached {@link OffsetSegment} of `timezone` that contains instant `t`.
 *
 * @remarks
 * A miss costs a few hundred `Intl` calls (probing a day at a time for the next change, then a
 * binary search to the second); it happens about twice a year per zone. Offset changes closer
 * together than one day would be missed: the tz database has none since 1970.
 *
 * @throws `TimezoneInvalidError` when the zone is unknown.
 */
export function offsetSegment(timezone: string, t: number): OffsetSegment {
  let list = segments.get(timezone);
  if (list !== undefined) {
    for (const s of list) if (t >= s.from && t < s.to) return s;
  } else {
    list = [];
    segments.set(timezone, list);
  }
  const seg = computeSegment(timezone, t);
  list.unshift(seg);
  if (list.length > SEGMENTS_PER_ZONE) list.pop();
  return seg;
}
