import { describe, expect, it } from 'vitest';
import type { Store } from '../stores/store.js';
import { instrumentStore } from './instrument-store.js';

/** A store-like class keeping its state in private fields, as RedisStore and MemoryStore do. */
class PrivateStore {
  readonly kind = 'private';
  #listeners: (() => void)[] = [];
  #calls = 0;
  onChange(listener: () => void): () => void {
    this.#listeners.push(listener);
    return () => undefined;
  }
  async get(): Promise<number> {
    this.#calls += 1;
    return this.#calls;
  }
  listeners(): number {
    return this.#listeners.length;
  }
}

describe('instrumentStore', () => {
  it('calls every method, timed or not, on the store itself, so private fields work through the wrapper', async () => {
    const calls: [string, boolean][] = [];
    const inner = new PrivateStore();
    const store = instrumentStore(inner as unknown as Store, (operation, _seconds, failed) => calls.push([operation, failed])) as unknown as PrivateStore;
    expect(typeof store.onChange(() => undefined)).toBe('function');
    expect(inner.listeners()).toBe(1);
    expect(await store.get()).toBe(1);
    expect(store.kind).toBe('private');
    expect(calls).toEqual([['get', false]]);
  });
});
