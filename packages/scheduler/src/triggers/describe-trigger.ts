/**
 * Human-readable one-line descriptions of triggers, for job listings, logs and the CLI.
 */
import type { TriggerSpec } from './trigger.js';

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/**
 * Formats a duration in ms compactly: `5s`, `1m30s`, `2h`, `1d12h`, `250ms`.
 *
 * @example
 * ```ts
 * formatDuration(90_000); // '1m30s'
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return `${ms}ms`;
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** ISO text of an instant, or `epoch ms <t>` for a value a Date cannot hold (stored data is not trusted). */
function iso(t: number): string {
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? `epoch ms ${String(t)}` : date.toISOString();
}

/**
 * Describes a trigger in one line.
 *
 * @remarks
 * Bounds follow the main part: `from <startDate>`, `until <endDate>` (ISO, UTC) and
 * `max <n> runs`. Never throws: a time no Date can hold reads `epoch ms <n>`, a trigger that cannot
 * be read at all `unreadable trigger`.
 *
 * @example
 * ```ts
 * describeTrigger({ type: 'interval', everyMs: 5_000 });                                  // 'every 5s'
 * describeTrigger({ type: 'cron', expression: '0 9 * * 1-5', timezone: 'Europe/Berlin' }); // 'cron "0 9 * * 1-5" (Europe/Berlin)'
 * describeTrigger({ type: 'date', runDate: Date.parse('2026-05-01T12:00:00Z') });         // 'once at 2026-05-01T12:00:00.000Z'
 * ```
 */
export function describeTrigger(spec: TriggerSpec): string {
  try {
    return describe(spec);
  } catch {
    // A trigger read from a store that an older version or a hand edit wrote: never break a listing.
    return 'unreadable trigger';
  }
}

function describe(spec: TriggerSpec): string {
  if (spec.type === 'date') return `once at ${iso(spec.runDate)}`;
  let out = spec.type === 'interval' ? `every ${formatDuration(spec.everyMs)}` : `cron "${spec.expression}" (${spec.timezone})`;
  if (spec.startDate !== undefined) out += ` from ${iso(spec.startDate)}`;
  if (spec.endDate !== undefined) out += ` until ${iso(spec.endDate)}`;
  if (spec.maxRuns !== undefined) out += `, max ${spec.maxRuns} run${spec.maxRuns === 1 ? '' : 's'}`;
  return out;
}
