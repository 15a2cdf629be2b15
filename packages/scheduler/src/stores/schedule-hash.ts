/**
 * The fingerprint of a schedule definition that {@link Store.upsert} compares.
 *
 * @remarks
 * Pure apart from hashing with `node:crypto` (no I/O).
 */
import { hash } from 'node:crypto';
import type { ScheduleDefinition } from './store.js';
import { canonicalJson } from './canonical-json.js';

/**
 * Returns a stable fingerprint of a definition's owner, trigger, policy and args.
 *
 * @remarks
 * The canonical JSON (sorted keys, see {@link canonicalJson}) of
 * `{ owner, trigger, policy, args }` is hashed with SHA-256 and the first 16 hex digits (64 bits)
 * are kept (one-shot `crypto.hash`, several times cheaper than a `createHash` object): short enough to store per schedule, and a collision between two versions of one job's
 * definition is vanishingly unlikely. The id is not part of the hash (it is the store key). The
 * same definition yields the same hash in every process and across restarts, which is what makes
 * boot registration an idempotent upsert that keeps the schedule's phase, pause state and history.
 *
 * @throws {@link ScheduleNotSerializableError} when the definition (usually `args`) is not plain JSON.
 *
 * @example
 * ```ts
 * const hash = scheduleHash(definition);
 * await store.upsert({ definition, hash, nextRunAt, anchor: now, replaceExisting: false });
 * ```
 */
export function scheduleHash(definition: ScheduleDefinition): string {
  const json = canonicalJson(
    // `removable` only when set, so definitions without it keep the hashes they always had.
    { owner: definition.owner, trigger: definition.trigger, policy: definition.policy, args: definition.args, ...(definition.removable === true ? { removable: true } : {}) },
    definition.id,
  );
  // Hex of the first 8 bytes: a flat 16-character string (slicing a 64-digit hex string keeps
  // the whole parent alive, 80 B more per schedule).
  return hash('sha256', json, 'buffer').toString('hex', 0, 8);
}
