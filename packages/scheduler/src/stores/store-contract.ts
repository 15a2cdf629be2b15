/**
 * The Store contract suite: one set of vitest tests every {@link Store} implementation must pass.
 *
 * @remarks
 * Backend-neutral: time is read from `store.now()` (a Redis store's clock is Redis's `TIME` and
 * cannot be faked), lease expiry is exercised with short real leases, and change hints are
 * awaited with `vi.waitFor` because a store may deliver them asynchronously. Each test gets a
 * fresh store from `setup` and tears it down afterwards, so `setup` must return an empty store.
 * The tests live in `store-contract-*.ts` by concern (schedules, claims, runs, wakeups); this file
 * is the one entry point that runs them all.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from './store.js';
import { describeClaimContract } from './store-contract-claims.js';
import { storeContractContext } from './store-contract-context.js';
import { describeRunContract } from './store-contract-runs.js';
import { describeScheduleContract } from './store-contract-schedules.js';
import { describeWakeupContract } from './store-contract-wakeups.js';
import { describeOperatorContract } from './store-contract-operator.js';

/** What a contract `setup` returns: a fresh, empty store and how to dispose of it. */
export interface StoreContractFixture {
  readonly store: Store;
  /** Closes the store and frees what `setup` created (server, keys, files). */
  teardown(): Promise<void>;
}

/**
 * Registers the contract tests for one store implementation.
 *
 * @remarks
 * Add one line to a test file to run a new backend through every contract test. Only real timers are
 * used; the suite takes a few seconds because of its lease-expiry waits.
 *
 * @param name - the describe block title, e.g. `MemoryStore`.
 * @param setup - creates a fresh empty store for one test.
 *
 * @example
 * ```ts
 * describeStoreContract('MemoryStore', async () => ({ store: new MemoryStore(), teardown: async () => {} }));
 * ```
 */
export function describeStoreContract(name: string, setup: () => Promise<StoreContractFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fixture: StoreContractFixture;
    let store: Store;

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.teardown();
    });

    // Registered after the hooks above, so each part's own beforeEach sees this test's store
    // (vitest runs beforeEach hooks in the order they are registered).
    const ctx = storeContractContext(() => store);
    describeScheduleContract(ctx);
    describeClaimContract(ctx);
    describeRunContract(ctx);
    describeWakeupContract(ctx);
    describeOperatorContract(ctx);
  });
}
