import { describe, expect, it } from 'vitest';
import { XcoreError, isXcoreError } from '@xcore/core';
import * as errors from './errors.js';
import { SCHEDULER_ERROR_CODES, ScheduleNotSerializableError, StoreClosedError, StoreInputError } from './errors.js';

/** A stand-in for any constructor argument: reads as `x`, an empty list, or a function returning itself. */
function placeholder(): unknown {
  const target = function () {};
  const handler: ProxyHandler<typeof target> = {
    get(_t, key) {
      if (key === Symbol.toPrimitive) return () => 'x';
      if (key === Symbol.iterator) return function* () {};
      if (key === 'length') return 0;
      if (key === 'then' || key === 'cause') return undefined;
      return proxy;
    },
    apply: () => proxy,
  };
  const proxy: unknown = new Proxy(target, handler);
  return proxy;
}

type ErrorClass = new (...args: unknown[]) => XcoreError;

const errorClasses: [string, ErrorClass][] = Object.entries(errors as Record<string, unknown>)
  .filter(([, value]) => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof XcoreError)
  .map(([name, value]) => [name, value as ErrorClass]);

function build(Cls: ErrorClass): XcoreError {
  return new Cls(...Array.from({ length: Math.max(Cls.length, 4) }, placeholder));
}

describe('scheduler error catalogue', () => {
  it('finds the error classes through the module namespace', () => {
    const names = errorClasses.map(([name]) => name);
    expect(names).toContain('StoreClosedError');
    expect(names).toContain('JobConflictError');
  });

  it.each(errorClasses)('%s has a well-formed, documented code and its own name', (name, Cls) => {
    const error = build(Cls);
    expect(error.name).toBe(name);
    expect(error.code).toMatch(/^XCORE_ERR_[A-Z0-9_]+$/);
    expect(isXcoreError(error, error.code)).toBe(true);
    expect(SCHEDULER_ERROR_CODES[error.code], `${error.code} of ${name} is not documented in SCHEDULER_ERROR_CODES`).toBeTruthy();
  });

  it('gives every class a unique code and documents no code without a class', () => {
    const codes = errorClasses.map(([, Cls]) => build(Cls).code);
    expect(codes.filter((c, i) => codes.indexOf(c) !== i)).toEqual([]);
    expect(Object.keys(SCHEDULER_ERROR_CODES).filter((c) => !codes.includes(c))).toEqual([]);
  });

  it('store errors say what, where and what to do', () => {
    expect(new StoreClosedError('memory', 'claimDue').message).toBe(
      'memory store: claimDue() was called after close(); the store is unusable once closed. Create a new store instead of reusing a closed one.',
    );
    expect(new StoreInputError('claimDue', 'limit must be >= 1, found 0').message).toBe('store.claimDue(): limit must be >= 1, found 0');
    const cause = new Error('inner');
    const e = new ScheduleNotSerializableError('p:job', '$.args[0]', 'a function', { cause });
    expect(e.message).toContain('job "p:job": $.args[0] is a function');
    expect(e.cause).toBe(cause);
  });
});
