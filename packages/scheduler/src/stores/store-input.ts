/**
 * Input checks shared by every store, so a caller's mistake reads the same whatever the backend.
 */
import { StoreInputError } from '../errors.js';
import type { RestoreInput } from './store.js';

/** Throws {@link StoreInputError} unless `value` is a finite epoch-ms number (or `null` when `nullable`). */
export function checkTime(method: string, what: string, value: number | null, nullable: boolean): void {
  if (value === null && nullable) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new StoreInputError(method, `${what} must be a finite epoch-ms number${nullable ? ' or null' : ''}, found ${String(value)}`);
  }
}

/** Throws {@link StoreInputError} when an upsert (or restore) lacks an id or hash, or carries a bad time. */
export function checkUpsertInput(input: RestoreInput, method = 'upsert'): void {
  const { definition, hash } = input;
  if (typeof definition.id !== 'string' || definition.id === '') {
    throw new StoreInputError(method, `definition.id must be a non-empty string, found ${JSON.stringify(definition.id)}`);
  }
  if (typeof hash !== 'string' || hash === '') {
    throw new StoreInputError(method, `hash of "${definition.id}" must be a non-empty string (use scheduleHash)`);
  }
  checkTime(method, `nextRunAt of "${definition.id}"`, input.nextRunAt, true);
  checkTime(method, `anchor of "${definition.id}"`, input.anchor, false);
}

/** Throws {@link StoreInputError} unless `value` (a lease, a limit) is a finite number >= 1. */
export function checkAtLeastOne(method: string, what: string, value: number): void {
  if (!(value >= 1) || !Number.isFinite(value)) {
    throw new StoreInputError(method, `${what} must be a finite number >= 1, found ${String(value)}`);
  }
}
