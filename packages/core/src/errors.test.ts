import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';
import { CORE_ERROR_CODES, XcoreError, isXcoreError } from './errors.js';

/**
 * A stand-in for any constructor argument: it reads as an empty string, an empty list, zero or a
 * function returning itself, so every error class can be built without knowing its signature.
 */
function placeholder(): unknown {
  const target = function () {};
  const handler: ProxyHandler<typeof target> = {
    get(_t, key) {
      if (key === Symbol.toPrimitive) return () => 'x';
      if (key === Symbol.iterator) return function* () {};
      if (key === 'length') return 0;
      if (key === 'then') return undefined;
      if (key === 'cause') return undefined;
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

describe('core error catalogue', () => {
  it('finds the error classes through the module namespace', () => {
    const names = errorClasses.map(([name]) => name);
    expect(names).toContain('ConfigInvalidError');
    expect(names).toContain('ConfigNotFoundError');
  });

  it.each(errorClasses)('%s has a well-formed code, its own name and is an XcoreError', (name, Cls) => {
    const error = build(Cls);
    expect(error).toBeInstanceOf(XcoreError);
    expect(error.name).toBe(name);
    expect(error.code).toMatch(/^XCORE_ERR_[A-Z0-9_]+$/);
    expect(isXcoreError(error, error.code)).toBe(true);
    expect(CORE_ERROR_CODES[error.code], `${error.code} of ${name} is not documented in CORE_ERROR_CODES`).toBeTruthy();
  });

  it('gives every class a unique code', () => {
    const owners = new Map<string, string[]>();
    for (const [name, Cls] of errorClasses) owners.set(build(Cls).code, [...(owners.get(build(Cls).code) ?? []), name]);
    const shared = [...owners].filter(([, names]) => names.length > 1);
    expect(shared).toEqual([]);
  });

  it('has a class for every documented code, and a real description for each', () => {
    const thrown = new Set(errorClasses.map(([, Cls]) => build(Cls).code));
    const orphans = Object.keys(CORE_ERROR_CODES).filter((code) => !thrown.has(code));
    expect(orphans).toEqual([]);
    for (const [code, text] of Object.entries(CORE_ERROR_CODES)) expect(text.length, code).toBeGreaterThan(20);
  });

  it('keeps the cause and works across module copies by code', () => {
    const cause = new Error('disk');
    const error = new errors.ConfigNotFoundError('/app/xcore.yaml', { cause });
    expect(error.cause).toBe(cause);
    expect(isXcoreError({ code: 'XCORE_ERR_CONFIG_NOT_FOUND' }, 'XCORE_ERR_CONFIG_NOT_FOUND')).toBe(true);
    expect(isXcoreError(new Error('plain'))).toBe(false);
    expect(error.message).toBe(
      'Config file not found: /app/xcore.yaml. Create it (see the config reference in the README), or pass another file with `xcore start -c <file>`.',
    );
  });
});
