/**
 * Validates what callers pass to the scheduler API (`addJob`, `modifyJob`, `history`, `new
 * Scheduler(...)`) with the zod schemas of `config/option-schemas.ts`, the ones the YAML config
 * uses, before anything is stored.
 *
 * @remarks
 * Any value at all may arrive here (null, a cycle, a getter or Proxy that throws): a refused
 * value is one coded error naming the job and every wrong option with its allowed range and what
 * was found (`XCORE_ERR_JOB_INVALID`, or `XCORE_ERR_SCHEDULER_OPTIONS_INVALID` for the scheduler's
 * own options). A bad cron expression or timezone keeps its own code (`XCORE_ERR_CRON_INVALID`,
 * `XCORE_ERR_TIMEZONE_INVALID`). Messages reuse the config loader's wording (`key: expected X,
 * found Y`, with "did you mean" for unknown keys).
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { positionIssues, type ConfigIssue, type EventBus } from '@xcore/core';
import type { RunLogSink } from '../runlog/run-log-sink.js';
import type { Store } from '../stores/store.js';
import { JobInvalidError, SchedulerOptionsInvalidError } from '../errors.js';
import { errorMessage } from '../executors/error-message.js';
import { executorNameValue, executorsConfigSchema } from '../executors/executor-config.js';
import { envNamesValue, exportNameValue } from '../config/option-schemas.js';
import {
  codedCause, cronExpressionValue, dateValue, everyValue, integerIn, jobIdValue, jobPolicySchema, ownerIdValue, policyShape, runnerTiming,
  timezoneValue, triggerSchema, validId,
} from '../config/option-schemas.js';

/** Fields of `addJob` besides the id, all optional (`modifyJob` takes these). */
const changeShape = {
  trigger: triggerSchema.optional(),
  every: everyValue.optional(),
  cron: cronExpressionValue.optional(),
  timezone: timezoneValue.optional(),
  runDate: dateValue.optional(),
  startDate: dateValue.optional(),
  endDate: dateValue.optional(),
  maxRuns: integerIn(1, Number.MAX_SAFE_INTEGER).optional(),
  args: z.array(z.unknown()).optional(),
  ...policyShape,
};

const TRIGGER_KINDS = ['trigger', 'every', 'cron', 'runDate'] as const;
const BOUND_KEYS = ['startDate', 'endDate', 'maxRuns', 'timezone'] as const;

function kindsOf(o: Readonly<Record<string, unknown>>): string[] {
  return TRIGGER_KINDS.filter((k) => o[k] !== undefined);
}

function atMostOneKind(o: Readonly<Record<string, unknown>>, ctx: z.RefinementCtx): void {
  const kinds = kindsOf(o);
  if (kinds.length > 1) ctx.addIssue({ code: 'custom', message: `has more than one trigger (${kinds.join(', ')}); keep exactly one` });
}

function checkBoundsOrder(o: { readonly startDate?: number | undefined; readonly endDate?: number | undefined }, ctx: z.RefinementCtx): void {
  if (o.startDate !== undefined && o.endDate !== undefined && o.endDate < o.startDate) {
    ctx.addIssue({ code: 'custom', path: ['endDate'], message: `endDate is before startDate (${new Date(o.startDate).toISOString()}); no occurrence could run` });
  }
}

/** Where a job runs (`addJob`, the helpers and decorators; YAML jobs have their own `func`). */
const executorShape = {
  executor: executorNameValue.optional(),
  module: z.union([z.string().min(1).max(4096), z.instanceof(URL)]).optional(),
  export: exportNameValue.optional(),
  env: envNamesValue.optional(),
};

/** `addJob` options: an id and exactly one kind of trigger. */
export const addJobOptionsSchema = z
  .strictObject({
    id: jobIdValue,
    ...changeShape,
    /** Replace a job with the same id instead of failing with `XCORE_ERR_JOB_CONFLICT`. @defaultValue `false` */
    replaceExisting: z.boolean().optional().describe('Replace a job with the same id instead of failing with XCORE_ERR_JOB_CONFLICT. Default false.'),
    /** Let operators remove the job while its owner runs (`AddJobOptions.removable`). @defaultValue `false` */
    removable: z.boolean().optional().describe('true or false: let operators remove the job (DELETE /admin/v1/jobs/{id}) while its owner runs. Default false.'),
    ...executorShape,
  })
  // A check added here must hold for what `quickAddJobOptions` accepts too (it skips these).
  .superRefine((o, ctx) => {
    if (kindsOf(o).length === 0) ctx.addIssue({ code: 'custom', message: 'has no trigger: pass one of trigger, every, cron or runDate (e.g. { every: \'30s\' })' });
    atMostOneKind(o, ctx);
    checkBoundsOrder(o, ctx);
  });

/**
 * Keys of `addJob` options the quick path checks one by one: every key of the schema but the
 * trigger kinds it does not take (`trigger`, `runDate`). The bounds dates are checked one by one
 * too; their order (the object-level check above) is checked after them.
 *
 * @remarks
 * With `startDate` on the quick path, a job with its own phase (`{ every, startDate }`) costs no
 * object-schema parse: the first one compiled it, about 50 KB of heap that stayed, a third of the
 * one-time heap of 1k spread jobs in the benchmark (bench/README.md).
 */
const QUICK_KEYS: ReadonlyMap<string, z.ZodType> = new Map(
  Object.entries(addJobOptionsSchema.shape).filter(([key]) => !['trigger', 'runDate'].includes(key)),
);

/** Outputs of accepted primitive values per key of {@link QUICK_KEYS} (`every: 1000`, a cron expression, `'UTC'`). */
const quickMemo = new Map<string, Map<unknown, unknown>>();
/** Values remembered per key: a bound for apps that give each job its own value. */
const QUICK_MEMO_LIMIT = 256;

/**
 * The output of `key`'s field schema for `value`, `undefined` when the key is not a quick key or
 * the value is refused. Primitive values are pure inputs of those schemas (durations, cron
 * expressions, timezone names, numbers, booleans: the same value always gives the same output),
 * so accepted ones are remembered and 100k jobs with `every: 1000` parse it once.
 */
function quickValue(key: string, value: unknown): unknown {
  const schema = QUICK_KEYS.get(key);
  if (schema === undefined) return undefined;
  // -0 is left out: a Map takes it for 0, whose output a schema may give as 0.
  const primitive = typeof value !== 'object' && typeof value !== 'function' && !Object.is(value, -0);
  let memo = quickMemo.get(key);
  if (primitive && memo?.has(value) === true) return memo.get(value);
  const parsed = schema.safeParse(value);
  if (!parsed.success || parsed.data === undefined) return undefined;
  if (primitive) {
    if (memo === undefined) quickMemo.set(key, (memo = new Map()));
    if (memo.size < QUICK_MEMO_LIMIT) memo.set(value, parsed.data);
  }
  return parsed.data;
}

/**
 * The usual `addJob` options (a plain object with an id, `every` or `cron`, and other keys of
 * {@link QUICK_KEYS}, bounds dates in order) checked key by key with the schema's own field schemas, which is several
 * times cheaper than the whole object schema (100k jobs registered in a loop parse 100k times).
 * `undefined` when the options are anything else or any value is refused: the whole schema then
 * parses them and words the problem, so what is accepted and every message stay the same.
 */
function quickAddJobOptions(options: object): ParsedAddJobOptions | undefined {
  try {
    if (Object.getPrototypeOf(options) !== Object.prototype) return undefined;
    const keys = Object.getOwnPropertyNames(options);
    const out: Record<string, unknown> = {};
    let kinds = 0;
    for (const key of keys) {
      const value: unknown = (options as Record<string, unknown>)[key];
      if (value === undefined) return undefined;
      const parsed = key === 'id' ? validId(value) : quickValue(key, value);
      if (parsed === undefined) return undefined;
      out[key] = parsed;
      if (key === 'every' || key === 'cron') kinds++;
    }
    if (kinds !== 1 || out['id'] === undefined) return undefined;
    // The bounds order (checkBoundsOrder): a refused pair goes to the whole schema, which words it.
    const { startDate, endDate } = out;
    if (startDate !== undefined && endDate !== undefined && (endDate as number) < (startDate as number)) return undefined;
    return out as ParsedAddJobOptions;
  } catch {
    // A getter or Proxy trap threw: the whole schema reads the options again and says so.
    return undefined;
  }
}

/** `modifyJob` changes: at most one kind of trigger; bounds only together with a trigger. */
export const jobChangesSchema = z.strictObject(changeShape).superRefine((o, ctx) => {
  atMostOneKind(o, ctx);
  checkBoundsOrder(o, ctx);
  const bounds = BOUND_KEYS.filter((k) => o[k] !== undefined);
  if (bounds.length > 0 && kindsOf(o).length === 0) {
    ctx.addIssue({ code: 'custom', message: `${bounds.join(', ')} ${bounds.length === 1 ? 'belongs' : 'belong'} to a trigger: pass them with every, cron or trigger (e.g. { every: '1h', ${bounds[0]}: ... })` });
  }
});

/** Validated `addJob` options. */
export type ParsedAddJobOptions = z.output<typeof addJobOptionsSchema>;
/** Validated `modifyJob` changes. */
export type ParsedJobChanges = z.output<typeof jobChangesSchema>;

/** Most records one `history()` call returns: the largest `historyLimit` a job can have. */
const HISTORY_MAX = 10_000;
const historyOptionsSchema = z.strictObject({ limit: integerIn(1, Number.MAX_SAFE_INTEGER).optional() }).optional();

const isFunctionOf = (names: readonly string[]) => (value: unknown): boolean =>
  typeof value === 'object' && value !== null && names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function');

/** Methods every store must have (the `Store` contract's required members). */
const STORE_METHODS = ['now', 'upsert', 'remove', 'get', 'list', 'pause', 'resume', 'claimDue', 'commit', 'history', 'recordRun', 'close', 'onChange', 'nextWakeup'];

/** `new Scheduler(options)`: the shared timing and policy schemas, plus the objects it is given. */
export const schedulerOptionsSchema = z.strictObject({
  store: z.custom<Store>(isFunctionOf(STORE_METHODS), { message: 'expected a store: a MemoryStore, a RedisStore or an object with the Store methods' }),
  logger: z.custom<Logger>(isFunctionOf(['child', 'debug', 'info', 'warn', 'error']), { message: 'expected a pino logger' }),
  timezone: timezoneValue.optional(),
  defaults: jobPolicySchema.extend({ executor: executorNameValue.optional() }).optional(),
  executors: executorsConfigSchema.optional(),
  leaseMs: runnerTiming.leaseMs.optional(),
  pollMs: runnerTiming.pollMs.optional(),
  batchSize: runnerTiming.batchSize.optional(),
  claimWindowMs: runnerTiming.claimWindowMs.optional(),
  owner: ownerIdValue.optional(),
  events: z.custom<EventBus>(isFunctionOf(['emit', 'on']), { message: 'expected the app\'s event bus (createEventBus)' }).optional(),
  random: z.custom<() => number>((v) => typeof v === 'function', { message: 'expected a function returning a number in [0, 1), like Math.random' }).optional(),
  enabled: z.boolean().optional(),
  metrics: z.strictObject({
    jobLabelLimit: z.number().int().min(0).max(100_000).optional(),
    meter: z.custom<object>((v) => typeof v === 'object' && v !== null, { message: 'expected an OpenTelemetry Meter' }).optional(),
    tracer: z.custom<object>((v) => typeof v === 'object' && v !== null, { message: 'expected an OpenTelemetry Tracer' }).optional(),
  }).optional(),
  overdue: z.strictObject({
    checkIntervalMs: z.number().int().min(10).max(3_600_000).optional(),
    afterMs: z.number().int().min(1_000).max(2_592_000_000).optional(),
    stuckAfterMs: z.number().int().min(1_000).max(2_592_000_000).nullable().optional(),
    learnedFactor: z.number().min(1).max(1_000).optional(),
    learnedMinMs: z.number().int().min(1_000).max(2_592_000_000).optional(),
  }).optional(),
  logRuns: z.enum(['debug', 'info']).optional(),
  runLog: z.custom<RunLogSink>(isFunctionOf(['write', 'query', 'flush', 'close', 'stats']), { message: 'expected a run-log sink (loadRunLogSink, PostgresRunLog.open, new MemoryRunLog)' }).optional(),
});

/** Validated `Scheduler` options. */
export type ParsedSchedulerOptions = z.output<typeof schedulerOptionsSchema>;

/**
 * Parses `input` with `schema`; on failure throws `fail(text)` where `text` lists each problem as
 * `key: expected X, found Y` (or the cron/timezone error itself, with `subject()` in front).
 *
 * @remarks
 * The first parse runs without `reportInput` and the subject is built only on failure: the
 * accepting path is the one 100k registrations take.
 */
function parseWith<S extends z.ZodType>(schema: S, input: unknown, subject: () => string, fail: (text: string, cause?: unknown) => Error): z.output<S> {
  let outcome: Parsed<S>;
  try {
    const quick = schema.safeParse(input);
    if (quick.success) return quick.data as z.output<S>;
    outcome = readIssues(schema, input, subject);
  } catch (cause) {
    // A getter or Proxy trap threw while zod read the options or described what it found.
    throw fail(`the options could not be read (${errorMessage(cause)}); pass a plain object`, cause);
  }
  if ('data' in outcome) return outcome.data;
  if ('coded' in outcome) throw outcome.coded;
  const more = outcome.unlisted > 0 ? `; and ${outcome.unlisted} more` : '';
  throw fail([...new Set(outcome.issues)].join('; ') + more);
}

type Parsed<S extends z.ZodType> = { readonly data: z.output<S> } | { readonly coded: Error } | { readonly issues: string[]; readonly unlisted: number };

/**
 * Problems listed in one message: an object with thousands of unknown keys (a spread string, a
 * large record) still gets a short message, found in bounded time.
 */
const MAX_ISSUES = 10;

/** Parses `input`: its data, the coded cron/timezone error it carries, or each problem as text. May throw on hostile input. */
function readIssues<S extends z.ZodType>(schema: S, input: unknown, subject: () => string): Parsed<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return { data: result.data as z.output<S> };
  const raw = result.error.issues;
  const coded = codedCause(raw);
  if (coded !== undefined) {
    coded.message = `${subject()}: ${coded.message}`;
    return { coded };
  }
  let unlisted = Math.max(0, raw.length - MAX_ISSUES);
  const shown = raw.slice(0, MAX_ISSUES).map((issue) => {
    if (issue.code !== 'unrecognized_keys' || issue.keys.length <= MAX_ISSUES) return issue;
    unlisted += issue.keys.length - MAX_ISSUES;
    return { ...issue, keys: issue.keys.slice(0, MAX_ISSUES) };
  });
  return { issues: describeIssues(positionIssues({ file: '', locate: () => undefined }, [], shown, schema, input)), unlisted };
}

/**
 * The text of each issue (`key: expected X, found Y`), with the unknown keys of one object named
 * together and their known keys listed once: `timout (did you mean "timeout"?), foo: unknown
 * options; known options: id, trigger, ...`.
 */
function describeIssues(issues: readonly ConfigIssue[]): string[] {
  const lines: string[] = [];
  const unknown = new Map<string, string[]>();
  for (const issue of issues) {
    if (!issue.found.startsWith('unknown key ')) {
      lines.push(issue.message.replace(/^\(root\): /, ''));
      continue;
    }
    const hint = /\(did you mean "[^"]*"\?\)$/.exec(issue.found)?.[0];
    const keys = unknown.get(issue.expected) ?? [];
    keys.push(hint === undefined ? issue.path : `${issue.path} ${hint}`);
    unknown.set(issue.expected, keys);
  }
  for (const [expected, keys] of unknown) {
    const known = /^one of the known keys \((.*)\)$/.exec(expected)?.[1];
    lines.push(`${keys.join(', ')}: unknown option${keys.length === 1 ? '' : 's'}${known === undefined ? '' : `; known options: ${known}`}`);
  }
  return lines;
}

/** How a job is named in messages before its options are known to be valid. */
export function jobLabel(id: unknown): string {
  if (typeof id === 'string' && id !== '') return `Job "${id.length > 80 ? `${id.slice(0, 77)}...` : id}"`;
  return 'A job';
}

/** Reads `options.id` without trusting `options` (it may throw). */
function rawId(options: unknown): unknown {
  try {
    return typeof options === 'object' && options !== null ? (options as { id?: unknown }).id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates `addJob` options.
 *
 * @param qualify - turns a valid id into the id stored (plugin views namespace it), for messages.
 * @throws `XCORE_ERR_JOB_INVALID` naming the job and each wrong option; `XCORE_ERR_CRON_INVALID`
 * or `XCORE_ERR_TIMEZONE_INVALID` for a bad cron expression or timezone.
 */
export function parseAddJobOptions(options: unknown, qualify: (id: string) => string): ParsedAddJobOptions {
  if (typeof options !== 'object' || options === null || isArray(options)) {
    throw new JobInvalidError(`addJob needs an options object with an id and a trigger, like { id: 'ping', every: '30s' }; got ${describeInput(options)}. Nothing was stored.`);
  }
  return quickAddJobOptions(options) ?? parseAddJobOptionsWhole(options, qualify);
}

/**
 * {@link parseAddJobOptions} with the whole schema only (no quick path): what the quick path
 * must agree with. For tests.
 */
export function parseAddJobOptionsWhole(options: object, qualify: (id: string) => string): ParsedAddJobOptions {
  const subject = (): string => {
    const id = rawId(options);
    return jobLabel(typeof id === 'string' && id !== '' ? safeQualify(qualify, id) : id);
  };
  return parseWith(addJobOptionsSchema, options, subject, (text, cause) =>
    new JobInvalidError(`${subject()}: ${text}. Nothing was stored.`, cause === undefined ? undefined : { cause }));
}

function safeQualify(qualify: (id: string) => string, id: string): string {
  try {
    return qualify(id);
  } catch {
    return id;
  }
}

/** Validates `modifyJob` changes for job `id` (already qualified). @throws like {@link parseAddJobOptions}. */
export function parseJobChanges(changes: unknown, id: string): ParsedJobChanges {
  const subject = jobLabel(id);
  if (typeof changes !== 'object' || changes === null || isArray(changes)) {
    throw new JobInvalidError(`${subject}: modifyJob needs an object of changes, like { every: '1m' } or { timeout: '30s' }; got ${describeInput(changes)}. Nothing was changed.`);
  }
  return parseWith(jobChangesSchema, changes, () => subject, (text, cause) =>
    new JobInvalidError(`${subject}: ${text}. Nothing was changed.`, cause === undefined ? undefined : { cause }));
}

/** The `limit` of `history(id, options)` (20 by default, at most {@link HISTORY_MAX}). @throws `XCORE_ERR_JOB_INVALID` */
export function parseHistoryLimit(options: unknown, id: string): number {
  const parsed = parseWith(historyOptionsSchema, options, () => jobLabel(id), (text, cause) =>
    new JobInvalidError(`history("${id}"): ${text}.`, cause === undefined ? undefined : { cause }));
  return Math.min(parsed?.limit ?? 20, HISTORY_MAX);
}

/**
 * Validates `new Scheduler(options)`.
 *
 * @throws `XCORE_ERR_SCHEDULER_OPTIONS_INVALID` naming each wrong option with its allowed range;
 * `XCORE_ERR_TIMEZONE_INVALID` or `XCORE_ERR_CRON_INVALID` from `timezone` or `defaults`.
 */
export function parseSchedulerOptions(options: unknown): ParsedSchedulerOptions {
  if (typeof options !== 'object' || options === null || isArray(options)) {
    throw new SchedulerOptionsInvalidError(`new Scheduler() needs an options object with at least a store and a logger; got ${describeInput(options)}.`);
  }
  return parseWith(schedulerOptionsSchema, options, () => 'Scheduler options', (text, cause) =>
    new SchedulerOptionsInvalidError(`Scheduler options: ${text}. Fix them where the Scheduler is created.`, cause === undefined ? undefined : { cause }));
}

/** A short description of a value of unknown type, for messages; never throws. */
export function describeInput(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'object') return isArray(value) ? 'an array' : 'an object';
  if (typeof value === 'function') return 'a function';
  return errorMessage(value);
}

/** `Array.isArray` that answers `false` for a revoked Proxy instead of throwing. */
function isArray(value: unknown): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}
