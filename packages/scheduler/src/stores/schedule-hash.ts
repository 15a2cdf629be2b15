/**
 * The fingerprint of a schedule definition that {@link Store.upsert} compares.
 *
 * @remarks
 * Pure apart from hashing with `node:crypto` (no I/O).
 */
import { hash } from 'node:crypto';
import type { ScheduleDefinition } from './store.js';
import { canonicalJson, isSharedCanonical } from './canonical-json.js';

/**
 * Hashes of definitions built only from shared parts (interned trigger, policy and args, see
 * {@link isSharedCanonical}), by trigger, then policy, then args, then whether removable, then owner. Such a hash depends on nothing else, so 100k jobs registered with `every: 1000`
 * compute it once and share one string. Weak on the parts, so it lives as long as they do.
 */
const sharedHashes = new WeakMap<object, WeakMap<object, WeakMap<object, readonly [Map<string, string>, Map<string, string>]>>>();
/** Owners remembered per (trigger, policy, args): past it, hashes are computed as before. */
const OWNERS_PER_PARTS = 1_024;

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
 * A definition whose trigger, policy and args are shared (interned, see `shareCanonical`) is
 * hashed once per (trigger, policy, args, removable, owner) and the string is shared.
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
  const { trigger, policy, args } = definition;
  if (!isSharedCanonical(trigger) || !isSharedCanonical(policy) || !isSharedCanonical(args)) return computeHash(definition);
  let byPolicy = sharedHashes.get(trigger);
  if (byPolicy === undefined) sharedHashes.set(trigger, (byPolicy = new WeakMap()));
  let byArgs = byPolicy.get(policy);
  if (byArgs === undefined) byPolicy.set(policy, (byArgs = new WeakMap()));
  let byRemovable = byArgs.get(args);
  if (byRemovable === undefined) byArgs.set(args, (byRemovable = [new Map(), new Map()]));
  const byOwner = byRemovable[definition.removable === true ? 1 : 0];
  const known = byOwner.get(definition.owner);
  if (known !== undefined) return known;
  const computed = computeHash(definition);
  if (byOwner.size < OWNERS_PER_PARTS) byOwner.set(definition.owner, computed);
  return computed;
}

function computeHash(definition: ScheduleDefinition): string {
  const json = canonicalJson(
    // `removable` only when set, so definitions without it keep the hashes they always had.
    { owner: definition.owner, trigger: definition.trigger, policy: definition.policy, args: definition.args, ...(definition.removable === true ? { removable: true } : {}) },
    definition.id,
  );
  // Hex of the first 8 bytes: a flat 16-character string (slicing a 64-digit hex string keeps
  // the whole parent alive, 80 B more per schedule).
  return hash('sha256', json, 'buffer').toString('hex', 0, 8);
}
