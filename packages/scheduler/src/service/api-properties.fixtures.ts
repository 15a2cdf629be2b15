/**
 * Property-based drivers of the public scheduler API, shared by the memory and Redis suites
 * (`scheduler-api.property.test.ts`, `scheduler-api.property.redis.test.ts`).
 *
 * @remarks
 * fast-check builds sequences of API calls whose every argument may be valid or hostile: numbers
 * (NaN, ±Infinity, ±1e300, -0), dates far outside the Date range, wrong types, null, objects whose
 * getters throw, cycles, revoked proxies, very long strings and weird ids. After each call the
 * properties hold: it settled (no hang) with a result or a coded `XcoreError` (never a bare
 * `TypeError`/`RangeError`); a refused call left the store as it was; every job reads back through
 * `jobs()` and `getJob()` without throwing, with valid dates; `stop()` resolves; nothing became an
 * unhandled rejection.
 */
import fc from 'fast-check';
import pino from 'pino';
import { XcoreError } from '@xcore/core';
import type { Store } from '../stores/store.js';
import { HOSTILE_VALUES } from '../executors/hostile-values.fixtures.js';
import { Scheduler } from './scheduler.js';
import type { JobFunction, JobInfo } from './scheduler-service.js';

const logger = pino({ level: 'silent' });

/** Every call must settle within this (a generous bound: only a real hang fails). */
const SETTLE_MS = 15_000;

/**
 * A hostile value, built only when a call is made ({@link materialize}): fast-check itself reads
 * the values it generates (to clone and print them), which a revoked Proxy would break.
 */
class Hostile {
  constructor(
    readonly name: string,
    readonly make: () => unknown,
  ) {}

  toString(): string {
    return `<${this.name}>`;
  }
}

const hostile: fc.Arbitrary<unknown> = fc.constantFrom(...HOSTILE_VALUES).map((h) => new Hostile(h.name, h.make));

/** `value` with every {@link Hostile} placeholder in it (at any depth of plain objects and arrays) built. */
export function materialize(value: unknown): unknown {
  if (value instanceof Hostile) return value.make();
  if (Array.isArray(value)) return value.map(materialize);
  const proto: unknown = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) {
    const out = Object.create(proto as object | null) as Record<string, unknown>;
    for (const [key, item] of Object.entries(value as object)) Object.defineProperty(out, key, { value: materialize(item), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

const weirdNumber = fc.constantFrom(
  Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, -1e300, -0, 0, 1, -1, 0.5, 1.5,
  2 ** 31, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, 1e20, -1e20, 8.64e15, -8.64e15, 8.64e15 + 1,
);

const weirdString = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', '5s', '0s', '1.5s', '1h30m', '1e400ms', '99999999999999999999w', 'soon', '@daily', '* * * * *',
    'Europe/Berlin', 'Mars/Base', '__proto__', 'constructor', '\uD800', 'a\nb', 'a:b', '\u0000', '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z', '2026-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z'),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)),
);

const weirdDate = fc.oneof(
  fc.constantFrom(new Date(Number.NaN), new Date(8.64e15), new Date(-8.64e15), new Date('2026-06-01T00:00:00Z')),
  fc.date({ noInvalidDate: false }),
);

/** Any value at all, the wilder the better. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  weirdNumber,
  fc.double(),
  fc.integer(),
  weirdString,
  weirdDate,
  hostile,
  fc.constantFrom(null, undefined, true, false, [], {}, () => 1, Symbol('s'), 10n),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** `valid` most of the time, anything some of the time. */
function mostly<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: anyValue });
}

/**
 * A valid object as is (often), with one or two keys (known ones, or typos) set to anything
 * (often), or anything at all (sometimes): most calls are valid or wrong in one place, so both
 * the accepting and the refusing paths run.
 */
function corrupt(valid: fc.Arbitrary<Record<string, unknown>>, keys: readonly string[]): fc.Arbitrary<unknown> {
  const edits = fc.array(fc.tuple(fc.constantFrom(...keys, 'timout', 'every ', '__proto__'), anyValue), { minLength: 1, maxLength: 2 });
  return fc.oneof(
    { weight: 5, arbitrary: valid },
    { weight: 4, arbitrary: fc.tuple(valid, edits).map(([v, e]) => ({ ...v, ...Object.fromEntries(e) })) },
    { weight: 1, arbitrary: anyValue },
  );
}

const goodDuration = fc.oneof(fc.integer({ min: 1, max: 86_400_000 }), fc.constantFrom('1s', '5m', '1h30m', '250ms', '7d'));
const goodDate = fc.oneof(
  fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2100-01-01') }),
  fc.constantFrom('2026-01-01T00:00:00Z', '2030-06-01T12:00:00.000Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z'),
  fc.date({ min: new Date('1990-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
);
const goodCron = fc.constantFrom('* * * * *', '*/5 * * * * *', '0 9 * * 1-5', '@daily', '30 2 * * *', '0 0 29 2 *');
const goodZone = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe');

/** Ids: ordinary, namespaced, long, unicode, prototype names, lone surrogates, control characters. */
export const idArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'job-1', 'nightly.report', 'x:y', '__proto__', 'constructor', 'ü-😀') },
  { weight: 1, arbitrary: weirdString },
  { weight: 1, arbitrary: anyValue },
);

const UNIT_KEYS = ['weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'] as const;
const goodUnits = fc.oneof(
  fc.record({ seconds: fc.integer({ min: 1, max: 90 }) }),
  fc.record({ minutes: fc.integer({ min: 1, max: 90 }), hours: fc.nat(3) }),
  fc.record({ weeks: fc.double({ min: 0.001, max: 2, noNaN: true }), days: fc.nat(3), milliseconds: fc.nat(5000) }),
);
const goodBounds = fc.record({ startDate: goodDate, endDate: goodDate, maxRuns: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: [] });
const BOUND_KEYS = ['startDate', 'endDate', 'maxRuns'] as const;

/** A full-form trigger, valid or not. */
export const triggerArb: fc.Arbitrary<unknown> = fc.oneof(
  corrupt(fc.tuple(goodUnits, goodBounds).map(([u, b]) => ({ type: 'interval', ...u, ...b })), ['type', ...UNIT_KEYS, ...BOUND_KEYS]),
  corrupt(fc.tuple(fc.record({ type: fc.constant('cron'), expression: goodCron, timezone: goodZone }, { requiredKeys: ['type', 'expression'] }), goodBounds).map(([c, b]) => ({ ...c, ...b })), ['type', 'expression', 'timezone', ...BOUND_KEYS]),
  corrupt(fc.record({ type: fc.constant('date'), runDate: goodDate }), ['type', 'runDate']),
);

const POLICY_KEYS = ['maxInstances', 'coalesce', 'misfireGraceTime', 'maxCatchUp', 'timeout', 'retries', 'retryDelay', 'jitter', 'overlap', 'recover', 'historyLimit'] as const;
const goodPolicy = fc.record(
  {
    maxInstances: fc.integer({ min: 1, max: 5 }),
    coalesce: fc.constantFrom('all', 'earliest', 'latest', 'skip'),
    misfireGraceTime: fc.oneof(fc.constant(null), goodDuration),
    maxCatchUp: fc.integer({ min: 1, max: 200 }),
    timeout: fc.oneof(fc.constant(null), goodDuration),
    retries: fc.integer({ min: 0, max: 3 }),
    retryDelay: goodDuration,
    jitter: fc.oneof(fc.constant(0), goodDuration),
    overlap: fc.constantFrom('skip', 'queue'),
    recover: fc.boolean(),
    historyLimit: fc.integer({ min: 0, max: 50 }),
  },
  { requiredKeys: [] },
);

/** One trigger given the ways `addJob` takes it: `every`, `cron` (+ `timezone`), `runDate`, `trigger`. */
const goodTriggerForm = fc.oneof(
  fc.tuple(fc.record({ every: fc.oneof(goodDuration, goodUnits) }), goodBounds).map(([t, b]) => ({ ...t, ...b })),
  fc.tuple(fc.record({ cron: goodCron, timezone: goodZone }, { requiredKeys: ['cron'] }), goodBounds).map(([t, b]) => ({ ...t, ...b })),
  fc.record({ runDate: goodDate }),
  fc.record({ trigger: triggerArb }),
);
const ADD_KEYS = ['id', 'trigger', 'every', 'cron', 'timezone', 'runDate', ...BOUND_KEYS, ...POLICY_KEYS, 'args', 'replaceExisting'];

/** `addJob` options built from valid parts (a few still clash: an endDate before the startDate). */
const goodAddOptions = fc
  .tuple(fc.record({ id: idArb }), goodTriggerForm, goodPolicy, fc.record({ args: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), replaceExisting: fc.boolean() }, { requiredKeys: [] }))
  .map(([id, trigger, policy, rest]) => ({ ...id, ...trigger, ...policy, ...rest }));

/** `addJob` options: every option and trigger form, valid, wrong in a place or two, or anything. */
export const addOptionsArb: fc.Arbitrary<unknown> = corrupt(goodAddOptions, ADD_KEYS);

/** `modifyJob` changes. */
const changesArb: fc.Arbitrary<unknown> = corrupt(
  fc.tuple(goodPolicy, fc.option(goodTriggerForm, { freq: 2 })).map(([policy, trigger]) => ({ ...policy, ...(trigger ?? {}) })),
  ADD_KEYS.filter((k) => k !== 'id' && k !== 'replaceExisting'),
);

/** A job id to act on: one that exists (by index into the ids seen) or any value. */
const targetArb = fc.oneof({ weight: 4, arbitrary: fc.nat(7).map((i) => ({ known: i })) }, { weight: 1, arbitrary: idArb.map((id) => ({ raw: id })) });

/** One public API call. */
export type ApiCall =
  | { readonly op: 'addJob'; readonly options: unknown; readonly fn: unknown }
  | { readonly op: 'interval'; readonly spec: unknown; readonly options: unknown }
  | { readonly op: 'cron'; readonly expression: unknown; readonly options: unknown }
  | { readonly op: 'modifyJob'; readonly target: Target; readonly changes: unknown }
  | { readonly op: 'rescheduleJob'; readonly target: Target; readonly trigger: unknown }
  | { readonly op: 'pauseJob' | 'resumeJob' | 'removeJob' | 'runJob' | 'getJob'; readonly target: Target }
  | { readonly op: 'history'; readonly target: Target; readonly options: unknown }
  | { readonly op: 'jobs' };

type Target = { readonly known: number } | { readonly raw: unknown };

const noop: JobFunction = () => undefined;
const helperOptionsArb = corrupt(
  fc.tuple(fc.record({ id: idArb }), goodPolicy, goodBounds).map(([a, b, c]) => ({ ...a, ...b, ...c })),
  ADD_KEYS.filter((k) => !['trigger', 'every', 'cron', 'runDate'].includes(k)),
);

/** Any API call. */
export const callArb: fc.Arbitrary<ApiCall> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('addJob' as const), options: addOptionsArb, fn: fc.oneof({ weight: 9, arbitrary: fc.constant(noop) }, { weight: 1, arbitrary: anyValue }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('interval' as const), spec: mostly(fc.oneof(goodDuration, goodUnits)), options: helperOptionsArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cron' as const), expression: mostly(goodCron), options: helperOptionsArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('modifyJob' as const), target: targetArb, changes: changesArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rescheduleJob' as const), target: targetArb, trigger: triggerArb }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('pauseJob' as const, 'resumeJob' as const, 'removeJob' as const, 'runJob' as const, 'getJob' as const), target: targetArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('history' as const), target: targetArb, options: mostly(fc.record({ limit: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: [] })) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'jobs' as const }) },
);

/**
 * A sequence of calls that starts with an `addJob` built from valid parts, so the calls after it
 * usually have a job to act on.
 */
export const callsArb: fc.Arbitrary<ApiCall[]> = fc
  .tuple(goodAddOptions, fc.array(callArb, { minLength: 1, maxLength: 10 }))
  .map(([options, rest]) => [{ op: 'addJob' as const, options, fn: noop }, ...rest]);

/** Options of `new Scheduler(...)` beside the store and logger, valid, wrong in a place or two, or anything. */
export const schedulerOptionsArb: fc.Arbitrary<unknown> = corrupt(
  fc.record(
    {
      leaseMs: fc.oneof(fc.integer({ min: 1_000, max: 120_000 }), fc.constantFrom('30s', '1m')),
      pollMs: fc.oneof(fc.integer({ min: 10, max: 60_000 }), fc.constant('1s')),
      claimWindowMs: fc.integer({ min: 0, max: 50 }),
      batchSize: fc.integer({ min: 1, max: 5_000 }),
      timezone: goodZone,
      defaults: goodPolicy,
      owner: fc.constantFrom('web-1', 'worker.2'),
      enabled: fc.boolean(),
      random: fc.constantFrom(Math.random, () => 0.5, () => Number.NaN, () => { throw new Error('random threw'); }),
    },
    { requiredKeys: [] },
  ),
  ['leaseMs', 'pollMs', 'claimWindowMs', 'batchSize', 'timezone', 'defaults', 'owner', 'enabled', 'random', 'events', 'store', 'logger'],
);

/** Rejects when `promise` does not settle within `ms` (a hang fails instead of timing out the suite). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hang: ${what} did not settle within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Fails (throws a plain Error) unless `error` is a coded `XcoreError`. */
export function assertCoded(error: unknown, what: string): void {
  if (error instanceof XcoreError && /^XCORE_ERR_[A-Z_]+$/.test(error.code) && error.message.length > 0) return;
  const name = error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
  throw new Error(`${what} failed with an uncoded error (${name})`);
}

/** The stored state a refused call must leave alone (definitions, pause state, next run). */
async function snapshot(store: Store): Promise<string> {
  const list = await store.list();
  return JSON.stringify(list.map((s) => [s.definition, s.state.paused, s.state.nextRunAt]).sort((a, b) => String((a[0] as { id: string }).id).localeCompare(String((b[0] as { id: string }).id))));
}

/** Fails unless `info` is a readable public job view with valid dates. */
function assertReadable(info: JobInfo, what: string): void {
  const validDate = (d: unknown): boolean => d instanceof Date && Number.isFinite(d.getTime());
  if (typeof info.id !== 'string' || typeof info.trigger !== 'string' || typeof info.owner !== 'string') throw new Error(`${what}: malformed JobInfo`);
  if (info.nextRunAt !== null && !validDate(info.nextRunAt)) throw new Error(`${what}: nextRunAt is not a valid Date`);
  if (info.lastRun !== null && !validDate(info.lastRun.scheduledAt)) throw new Error(`${what}: lastRun.scheduledAt is not a valid Date`);
  info.nextRunAt?.toISOString();
}

function targetId(target: Target, ids: readonly string[]): unknown {
  if ('raw' in target) return target.raw;
  return ids.length === 0 ? 'none' : ids[target.known % ids.length];
}

/** How many calls of each kind were accepted and refused, so a suite can check both paths ran. */
export const tally: Record<string, { accepted: number; refused: number }> = {};

function count(op: string, accepted: boolean): void {
  const entry = (tally[op] ??= { accepted: 0, refused: 0 });
  if (accepted) entry.accepted += 1;
  else entry.refused += 1;
}

/**
 * Runs `calls` against a fresh scheduler on `store` and checks the properties of the file
 * comment after every call; resolves when all hold, throws the first that does not.
 */
export async function checkCalls(store: Store, calls: readonly ApiCall[]): Promise<void> {
  const scheduler = new Scheduler({ store, logger, owner: 'property', pollMs: 50 });
  const ids: string[] = [];
  try {
    for (const call of calls) {
      const before = call.op === 'runJob' || call.op === 'getJob' || call.op === 'jobs' || call.op === 'history' ? undefined : await snapshot(store);
      let ok = false;
      try {
        const result = await within(Promise.resolve().then(() => invoke(scheduler, call, ids)), SETTLE_MS, call.op);
        ok = true;
        if (call.op === 'addJob' || call.op === 'interval' || call.op === 'cron') {
          const info = result as JobInfo;
          assertReadable(info, call.op);
          if (!ids.includes(info.id)) ids.push(info.id);
        }
        if (call.op === 'removeJob') ids.splice(ids.indexOf(String(targetId(call.target, ids))), 1);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('hang:')) throw error;
        assertCoded(error, call.op);
      }
      count(call.op, ok);
      if (!ok && before !== undefined) {
        const after = await snapshot(store);
        if (after !== before) throw new Error(`${call.op} was refused but changed the store`);
      }
      const listed = await within(scheduler.jobs(), SETTLE_MS, 'jobs()');
      for (const info of listed) {
        assertReadable(info, 'jobs()');
        const one = await within(scheduler.getJob(info.id), SETTLE_MS, 'getJob()');
        if (one === undefined) throw new Error(`getJob("${info.id}") lost a listed job`);
        assertReadable(one, 'getJob()');
      }
    }
    // Fire what was accepted for a moment: the run path must take every accepted value.
    scheduler.startFiring();
    await new Promise((resolve) => setTimeout(resolve, 15));
  } finally {
    await within(scheduler.stop({ deadlineMs: 200 }), SETTLE_MS, 'stop()');
  }
  // A second process (or a restart) reads every stored job back the same way.
  const reader = new Scheduler({ store, logger, owner: 'reader' });
  for (const info of await store.list()) assertReadable((await reader.getJob(info.definition.id))!, 'getJob() from another scheduler');
}

async function invoke(s: Scheduler, generated: ApiCall, ids: readonly string[]): Promise<unknown> {
  const call = materialize(generated) as ApiCall;
  // Casts: the point is to pass what TypeScript would refuse.
  type Any = never;
  switch (call.op) {
    case 'addJob':
      return s.addJob(call.fn as Any, call.options as Any);
    case 'interval':
      return s.interval(call.spec as Any, call.options as Any)(noop);
    case 'cron':
      return s.cron(call.expression as Any, call.options as Any)(noop);
    case 'modifyJob':
      return s.modifyJob(targetId(call.target, ids) as Any, call.changes as Any);
    case 'rescheduleJob':
      return s.rescheduleJob(targetId(call.target, ids) as Any, call.trigger as Any);
    case 'history':
      return s.history(targetId(call.target, ids) as Any, call.options as Any);
    case 'jobs':
      return s.jobs();
    default:
      return s[call.op](targetId(call.target, ids) as Any);
  }
}

/** Builds a scheduler from `options` on `store`: a coded refusal, or one that adds, runs and stops. */
export async function checkSchedulerOptions(store: Store, options: unknown): Promise<void> {
  let scheduler: Scheduler;
  try {
    // A generated options object gets the store and logger; anything else is passed as it is.
    const plain = typeof options === 'object' && options !== null && !(options instanceof Hostile) && !Array.isArray(options);
    scheduler = new Scheduler((plain ? { store, logger, ...(materialize(options) as object) } : materialize(options)) as never);
  } catch (error) {
    assertCoded(error, 'new Scheduler()');
    return;
  }
  try {
    await within(scheduler.addJob(noop, { id: 'probe', every: '1s', jitter: 5 }), SETTLE_MS, 'addJob');
    const record = await within(scheduler.runJob('probe'), SETTLE_MS, 'runJob');
    if (record.status !== 'succeeded' && record.status !== 'skipped') throw new Error(`runJob recorded ${record.status}`);
    scheduler.startFiring();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assertReadable((await scheduler.getJob('probe'))!, 'getJob');
  } finally {
    await within(scheduler.stop({ deadlineMs: 200 }), SETTLE_MS, 'stop()');
  }
}

/** How a job body ends: throw, reject, or return a value (possibly a thenable that cannot be read). */
export const hostileBodyArb = fc.record({
  mode: fc.constantFrom('throw', 'reject', 'reject-later', 'return'),
  value: fc.oneof({ weight: 3, arbitrary: hostile }, { weight: 1, arbitrary: anyValue }),
  retries: fc.integer({ min: 0, max: 2 }),
  timeout: fc.constantFrom(null, 1_000),
});

/** A generated job body. */
export type HostileBody = typeof hostileBodyArb extends fc.Arbitrary<infer T> ? T : never;

/** Runs a job whose body ends as `body` says: each run is recorded, failed unless it returned normally, and `stop()` resolves. */
export async function checkHostileBody(store: Store, body: HostileBody, startFiring = false): Promise<void> {
  const scheduler = new Scheduler({ store, logger, owner: 'property' });
  try {
    const fn: JobFunction = () => {
      switch (body.mode) {
        case 'throw':
          throw materialize(body.value);
        case 'reject':
          return Promise.reject(materialize(body.value));
        case 'reject-later':
          return new Promise((_resolve, reject) => setTimeout(() => reject(materialize(body.value)), 1));
        default:
          return materialize(body.value);
      }
    };
    await scheduler.addJob(fn, { id: 'hostile', every: startFiring ? 20 : '1h', retries: body.retries, retryDelay: 1, timeout: body.timeout });
    if (startFiring) scheduler.startFiring();
    const record = await within(scheduler.runJob('hostile'), SETTLE_MS, 'runJob');
    const expected = body.mode === 'return' ? ['succeeded', 'failed'] : ['failed'];
    if (!expected.includes(record.status)) throw new Error(`a run that ended by ${body.mode} was recorded as ${record.status}`);
    if (record.status === 'failed' && (typeof record.error !== 'string' || record.error === '')) throw new Error('a failed run has no error text');
    const history = await scheduler.history('hostile');
    if (!history.some((r) => r.manual === true && r.status === record.status)) throw new Error('the run is not in the history');
  } finally {
    await within(scheduler.stop({ deadlineMs: 500 }), SETTLE_MS, 'stop()');
  }
}
