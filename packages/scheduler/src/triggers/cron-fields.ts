/**
 * Field-by-field check of a cron expression, before croner parses it, so an error quotes the field
 * as the user wrote it and says the allowed range.
 *
 * @remarks
 * Pure: no clock, no croner. It knows the grammar xcore accepts (the one croner's
 * `5-or-6-parts` mode parses): per comma-separated item `*`, a value, a range `a-b`, either with an
 * optional `/step`, and `*` followed by a step; names `JAN`-`DEC` and `SUN`-`SAT`; `?` (any value, as `*`); `+` before day-of-week (AND with day-of-month); `L`, `LW` and `15W` in day-of-month; `5L`, `FRI#2` and `MON#L` in day-of-week. What it
 * accepts, croner still parses (and may refuse, with its own reason); what it refuses, croner
 * would refuse too, or would report with a value shifted by one (`0 0 32 * *` read as "day: 31").
 */

/** One field of a cron expression: its name in messages and its allowed values. */
interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Upper-case names accepted for values (index + `min` is the value). */
  readonly names?: readonly string[];
  /** What else the field accepts, for the "allowed" part of a message. */
  readonly extras?: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31, extras: ', ?, L, LW or 15W' };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: MONTHS, extras: ' or JAN-DEC' };
const DAY_OF_WEEK: FieldSpec = { name: 'day-of-week', min: 0, max: 7, names: DAYS, extras: ' (0 and 7 are Sunday), SUN-SAT, ?, 5L or FRI#2' };

/** Longest part of a user's input quoted back in a message. */
const QUOTE_LIMIT = 48;

/**
 * Quotes `text` for a message, cut to {@link QUOTE_LIMIT} characters with its length said when
 * longer (a 1 MB expression is not echoed whole).
 */
export function quoteInput(text: string, limit = QUOTE_LIMIT): string {
  if (text.length <= limit) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, limit))}… (${text.length.toLocaleString('en-US')} characters)`;
}

/**
 * The reason the fields of `expression` are invalid, or `undefined` when every field is well
 * formed and in range (croner then parses it).
 *
 * @param expression - 5 or 6 whitespace-separated fields (macros and the field count are checked
 * by the caller).
 * @example
 * ```ts
 * cronFieldProblem('0 0 32 * *'); // 'day-of-month "32" is out of range: allowed 1-31, ?, L, LW or 15W'
 * ```
 */
export function cronFieldProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  const specs = fields.length === 6 ? [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK] : [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK];
  for (let i = 0; i < specs.length && i < fields.length; i += 1) {
    const problem = fieldProblem(fields[i]!, specs[i]!);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function allowed(spec: FieldSpec): string {
  return `allowed ${spec.min}-${spec.max}${spec.extras ?? ''}`;
}

function fieldProblem(field: string, spec: FieldSpec): string | undefined {
  // A leading + on day-of-week combines it with day-of-month by AND (croner's extension).
  const items = (spec === DAY_OF_WEEK && field.startsWith('+') ? field.slice(1) : field).split(',');
  for (const item of items) {
    if (item === '') return `${spec.name} ${quoteInput(field)} has an empty list item (remove the extra comma)`;
    const problem = itemProblem(item, spec);
    if (problem !== undefined) return `${spec.name} ${items.length > 1 ? `${quoteInput(item)} in ${quoteInput(field)}` : quoteInput(item)} ${problem}`;
  }
  return undefined;
}

/** Parses a value (number or name); `undefined` when it is neither. */
function valueOf(text: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const at = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  return at < 0 ? undefined : at + spec.min;
}

function itemProblem(item: string, spec: FieldSpec): string | undefined {
  const upper = item.toUpperCase();
  if (spec === DAY_OF_MONTH && (upper === 'L' || upper === 'LW')) return undefined;
  if (spec === DAY_OF_MONTH && /^\d+W$/.test(upper)) return rangeProblem(Number(upper.slice(0, -1)), spec);
  if (spec === DAY_OF_WEEK) {
    const special = /^([A-Z]+|\d+)(L|#([1-5]|L))$/.exec(upper);
    if (special !== null) {
      const value = valueOf(special[1]!, spec);
      return value === undefined ? `is not a day of the week: ${allowed(spec)}` : rangeProblem(value, spec);
    }
    if (upper.includes('#')) return 'has an nth weekday outside 1-5 or L (FRI#2 is the second Friday, FRI#L the last)';
  }
  const slash = item.indexOf('/');
  const base = slash < 0 ? item : item.slice(0, slash);
  if (slash >= 0) {
    const step = item.slice(slash + 1);
    if (!/^\d+$/.test(step)) return `has a step that is not a whole number: use e.g. "*/15"`;
    if (Number(step) < 1) return 'has a step of 0: a step is at least 1';
    if (Number(step) > spec.max - spec.min + 1) return `has a step larger than the field (${allowed(spec)})`;
    if (base !== '*' && base !== '?' && !base.includes('-')) return `steps from a single value: put * or a range before the step, e.g. "*/${step}" or "${base}-${spec.max}/${step}"`;
  }
  if (base === '*' || base === '?') return undefined;
  const dash = base.indexOf('-', 1);
  if (dash < 0) {
    const value = valueOf(base, spec);
    return value === undefined ? `is not a value, range or step: ${allowed(spec)}` : rangeProblem(value, spec);
  }
  const from = valueOf(base.slice(0, dash), spec);
  const to = valueOf(base.slice(dash + 1), spec);
  if (from === undefined || to === undefined) return `is not a valid range: ${allowed(spec)}`;
  const outside = rangeProblem(from, spec) ?? rangeProblem(to, spec);
  if (outside !== undefined) return outside;
  if (from > to) return `is a range that runs backwards: write the lower value first`;
  return undefined;
}

function rangeProblem(value: number, spec: FieldSpec): string | undefined {
  return value < spec.min || value > spec.max ? `is out of range: ${allowed(spec)}` : undefined;
}
