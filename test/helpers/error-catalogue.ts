/**
 * One catalogue check for every package's `errors.ts`: each exported `XcoreError` subclass has a
 * well-formed code, its own class name, a unique code, and an entry in the package's codes table;
 * each documented code has a class.
 */
import { XcoreError, isXcoreError } from '@xcore/core';
import { describe, expect, it } from 'vitest';

type ErrorClass = new (...args: unknown[]) => XcoreError;

/**
 * A stand-in for any constructor argument: it reads as `x`, an empty list, zero or a function
 * returning itself, so every error class can be built without knowing its signature.
 */
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

/** The `XcoreError` subclasses a module exports, by export name. */
export function errorClassesOf(namespace: Record<string, unknown>): [string, ErrorClass][] {
  return Object.entries(namespace)
    .filter(([, value]) => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof XcoreError)
    .map(([name, value]) => [name, value as ErrorClass]);
}

/** Builds an error class with placeholder arguments (enough to read its code and name). */
export function buildError(Cls: ErrorClass): XcoreError {
  return new Cls(...Array.from({ length: Math.max(Cls.length, 4) }, placeholder));
}

/**
 * Registers the catalogue tests of one package.
 *
 * @param expected - class names that must be found (guards against an empty namespace passing).
 */
export function describeErrorCatalogue(
  pkg: string,
  namespace: Record<string, unknown>,
  codes: Readonly<Record<string, string>>,
  expected: readonly string[],
): void {
  const classes = errorClassesOf(namespace);
  describe(`${pkg} error catalogue`, () => {
    it('finds the error classes through the module namespace', () => {
      expect(classes.map(([name]) => name)).toEqual(expect.arrayContaining([...expected]));
    });

    it.each(classes)('%s has a well-formed, documented code and its own name', (name, Cls) => {
      const error = buildError(Cls);
      expect(error).toBeInstanceOf(XcoreError);
      expect(error.name).toBe(name);
      expect(error.code).toMatch(/^XCORE_ERR_[A-Z0-9_]+$/);
      expect(isXcoreError(error, error.code)).toBe(true);
      expect(codes[error.code], `${error.code} of ${name} is not documented in the ${pkg} codes table`).toBeTruthy();
    });

    it('gives every class a unique code, documents no code without a class, and describes each', () => {
      const thrown = classes.map(([, Cls]) => buildError(Cls).code);
      expect(thrown.filter((c, i) => thrown.indexOf(c) !== i)).toEqual([]);
      expect(Object.keys(codes).filter((c) => !thrown.includes(c))).toEqual([]);
      for (const [code, text] of Object.entries(codes)) expect(text.length, code).toBeGreaterThan(20);
    });
  });
}
