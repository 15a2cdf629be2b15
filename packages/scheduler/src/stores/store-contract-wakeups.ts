/**
 * Store contract, waking the runner: `nextWakeup` and change hints (`onChange`), and `close`, after
 * which the store serves nothing.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { isXcoreError } from '@xcore/core';
import type { Store, StoreChange } from './store.js';
import { LONG_LEASE_MS, def, type StoreContractContext } from './store-contract-context.js';

/**
 * Registers the contract tests for `nextWakeup`, change hints and `close`.
 *
 * @param ctx - the running test's store and the shared contract helpers.
 */
export function describeWakeupContract(ctx: StoreContractContext): void {
  const { add } = ctx;
  let store: Store;
  beforeEach(() => {
    store = ctx.store;
  });

  describe('nextWakeup', () => {
    it('is the earliest next run of unpaused schedules, honouring exclude, and a claim\'s lease end', async () => {
      const now = await store.now();
      expect(await store.nextWakeup()).toBeNull();
      await add(def('w1'), now + 3000);
      await add(def('w2'), now + 2000);
      await add(def('w3'), now + 1000);
      await add(def('w4'), null);
      await store.pause('w3');
      expect(await store.nextWakeup()).toBe(now + 2000);
      expect(await store.nextWakeup(new Set(['w2']))).toBe(now + 3000);
      expect(await store.nextWakeup(new Set(['w1', 'w2']))).toBeNull();

      await add(def('due'), now - 50);
      expect(await store.nextWakeup()).toBe(now - 50);
      const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
      expect(claim?.schedule.definition.id).toBe('due');
      expect(await store.nextWakeup()).toBe(now + 2000);
      await store.setNextRunAt('w1', now + 200_000);
      await store.setNextRunAt('w2', now + 200_000);
      expect(await store.nextWakeup()).toBe(claim!.leaseUntil);
    });
  });

  describe('change hints', () => {
    it('notifies listeners after each kind of mutation, until unsubscribed', async () => {
      const now = await store.now();
      const seen: StoreChange[] = [];
      const off = store.onChange((c) => seen.push(c));
      const expectHint = async (kind: StoreChange['kind'], id?: string): Promise<void> => {
        await vi.waitFor(() => expect(seen.some((c) => c.kind === kind && (id === undefined || c.id === undefined || c.id === id))).toBe(true), { timeout: 2000 });
      };
      await add(def('n'), now - 10);
      await expectHint('upsert', 'n');
      await store.pause('n');
      await expectHint('pause', 'n');
      await store.resume('n', now - 5);
      await expectHint('resume', 'n');
      await store.setNextRunAt('n', now - 1);
      await expectHint('reschedule', 'n');
      let [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
      await store.release('proc-1', [{ id: 'n', token: claim!.token }]);
      await expectHint('release', 'n');
      [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
      await store.commit('proc-1', [{ id: 'n', token: claim!.token, fire: [now - 1], missedCount: 0, nextRunAt: now + 1000 }]);
      await expectHint('commit', 'n');
      await store.remove('n');
      await expectHint('remove', 'n');

      off();
      const count = seen.length;
      await add(def('n2'), now);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen.length).toBe(count);
    });

    it('a throwing listener does not break the mutation or other listeners', async () => {
      const now = await store.now();
      const seen: string[] = [];
      store.onChange(() => {
        throw new Error('listener bug');
      });
      store.onChange((c) => seen.push(c.kind));
      const result = await add(def('t'), now);
      expect(result.status).toBe('created');
      await vi.waitFor(() => expect(seen).toContain('upsert'), { timeout: 2000 });
    });
  });

  describe('close', () => {
    it('makes the store unusable with XCORE_ERR_STORE_CLOSED; closing twice is fine', async () => {
      await store.close();
      await store.close();
      const err = await store.get('x').then(() => null, (e: unknown) => e);
      expect(isXcoreError(err, 'XCORE_ERR_STORE_CLOSED')).toBe(true);
    });
  });
}
