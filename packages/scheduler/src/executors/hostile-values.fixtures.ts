/**
 * Values a job can throw (or reject with) that break naive error handling: no prototype, cycles,
 * getters and `toString` that throw, revoked proxies, symbols. Shared by the executor, scheduler
 * and property tests. Each entry builds a fresh value, since some (revoked proxies) are one-shot.
 */

/** One hostile thrown value, named for test titles. */
export interface HostileValue {
  readonly name: string;
  make(): unknown;
}

function cyclicNullPrototype(): unknown {
  const o = Object.create(null) as Record<string, unknown>;
  o['self'] = o;
  return o;
}

function revokedProxy(): unknown {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function errorWithThrowingMessage(): unknown {
  const e = new Error('hidden');
  Object.defineProperty(e, 'stack', { get: () => { throw new Error('stack getter threw'); } });
  Object.defineProperty(e, 'message', { get: () => { throw new Error('message getter threw'); } });
  return e;
}

function trapEverything(): unknown {
  const fail = (): never => {
    throw new Error('trap threw');
  };
  return new Proxy({}, { get: fail, getPrototypeOf: fail, ownKeys: fail, has: fail, getOwnPropertyDescriptor: fail });
}

/** The hostile values the verification named, and a few more of the same kind. */
export const HOSTILE_VALUES: readonly HostileValue[] = [
  { name: 'a cyclic object with a null prototype', make: cyclicNullPrototype },
  { name: 'a null-prototype object', make: () => Object.create(null) as unknown },
  { name: 'an object whose toString throws', make: () => ({ toString: () => { throw new Error('toString threw'); } }) },
  { name: 'an object whose toJSON and toString throw', make: () => ({ toJSON: () => { throw new Error('x'); }, toString: () => { throw new Error('y'); } }) },
  { name: 'an object with a throwing getter', make: () => ({ get message(): string { throw new Error('getter threw'); } }) },
  { name: 'an Error whose message and stack getters throw', make: errorWithThrowingMessage },
  { name: 'a revoked Proxy', make: revokedProxy },
  { name: 'a Proxy whose every trap throws', make: trapEverything },
  { name: 'a symbol', make: () => Symbol('thrown') },
  { name: 'a bigint', make: () => 10n },
  { name: 'undefined', make: () => undefined },
  { name: 'null', make: () => null },
  { name: 'a function', make: () => () => 1 },
  { name: 'an Error with a non-string message', make: () => Object.assign(new Error(), { message: { nested: true } }) },
  { name: 'a very long string', make: () => 'x'.repeat(1_000_000) },
];
