import { describe, expect, it } from 'vitest';
import { isXcoreError } from '@xcore/core';
import { canonicalJson, shareCanonical } from './canonical-json.js';
import { scheduleHash } from './schedule-hash.js';
import type { ScheduleDefinition, SchedulePolicy } from './store.js';

const POLICY: SchedulePolicy = {
  misfireGraceTimeMs: null, coalesce: 'all', maxCatchUp: 10, maxInstances: 1, overlap: 'skip',
  jitterMs: 0, timeoutMs: null, retries: 0, retryDelayMs: 0, recover: false,
};
const base: ScheduleDefinition = { id: 'p:job', owner: 'p', trigger: { type: 'interval', everyMs: 1000 }, policy: POLICY, args: [{ a: 1, b: [2, 'x'] }] };

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined properties', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' }, u: undefined }, 'j')).toBe('{"a":{"c":"x","d":[true,null]},"b":1}');
  });

  it('reuses the text of deeply frozen objects but never of one holding a mutable child', () => {
    const child = { n: 1 };
    const parent = Object.freeze({ child });
    const frozen = Object.freeze({ a: Object.freeze([1, 2]) });
    expect(canonicalJson(parent, 'j')).toBe('{"child":{"n":1}}');
    expect(canonicalJson(frozen, 'j')).toBe('{"a":[1,2]}');
    child.n = 2;
    expect(canonicalJson(parent, 'j')).toBe('{"child":{"n":2}}');
    expect(canonicalJson({ x: frozen }, 'j')).toBe('{"x":{"a":[1,2]}}');
  });

  it('rejects values JSON cannot represent, naming the key path', () => {
    const pathOf = (v: unknown): string => {
      try {
        canonicalJson(v, 'job-1');
        return 'accepted';
      } catch (e) {
        expect(isXcoreError(e, 'XCORE_ERR_SCHEDULE_NOT_SERIALIZABLE')).toBe(true);
        return (e as Error).message;
      }
    };
    expect(pathOf({ args: [1, () => 1] })).toContain('$.args[1] is a function');
    expect(pathOf({ n: Number.NaN })).toContain('$.n is NaN');
    expect(pathOf([undefined])).toContain('$[0] is undefined');
    expect(pathOf({ d: new Date(0) })).toContain('$.d is an instance of Date');
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(pathOf(cyc)).toContain('$.self is a circular reference');
    expect(pathOf({ big: 1n })).toContain('job "job-1"');
  });
});

describe('scheduleHash', () => {
  it('is 16 hex digits and ignores key order and the id', () => {
    const reordered = { args: [{ b: [2, 'x'], a: 1 }], policy: { ...POLICY }, trigger: { everyMs: 1000, type: 'interval' as const }, owner: 'p', id: 'other' };
    expect(scheduleHash(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(scheduleHash(reordered)).toBe(scheduleHash(base));
  });

  it('changes when owner, trigger, policy or args change', () => {
    const h = scheduleHash(base);
    expect(scheduleHash({ ...base, owner: 'q' })).not.toBe(h);
    expect(scheduleHash({ ...base, trigger: { type: 'interval', everyMs: 1001 } })).not.toBe(h);
    expect(scheduleHash({ ...base, policy: { ...POLICY, retries: 1 } })).not.toBe(h);
    expect(scheduleHash({ ...base, args: [{ a: 1, b: [2, 'y'] }] })).not.toBe(h);
  });

  it('hashes a definition of shared parts as its unshared copy, and keeps owner, removable, timezone and policy apart', () => {
    const share = <T extends object>(v: T): T => {
      const out = shareCanonical(Object.freeze(v));
      canonicalJson(out, 'j');
      return out;
    };
    const cron = (timezone: string) => share({ type: 'cron' as const, expression: '0 * * * *', timezone });
    const policy = share({ ...POLICY });
    const args = share([] as unknown[]);
    const shared: ScheduleDefinition = { id: 'a', owner: 'p', trigger: cron('UTC'), policy, args };
    const copy = (d: ScheduleDefinition): ScheduleDefinition => JSON.parse(JSON.stringify(d)) as ScheduleDefinition;
    const variants: ScheduleDefinition[] = [
      shared,
      { ...shared, id: 'b' },
      { ...shared, owner: 'q' },
      { ...shared, removable: true },
      { ...shared, owner: 'q', removable: true },
      { ...shared, trigger: cron('Europe/Berlin') },
      { ...shared, policy: share({ ...POLICY, retries: 1 }) },
      { ...shared, args: share([1]) },
    ];
    // Twice over: the second pass answers from the shared hashes.
    for (let pass = 0; pass < 2; pass++) {
      for (const d of variants) expect(scheduleHash(d)).toBe(scheduleHash(copy(d)));
    }
    const distinct = new Set(variants.map(scheduleHash));
    expect(distinct.size).toBe(variants.length - 1); // only the id differs between the first two
  });
});
