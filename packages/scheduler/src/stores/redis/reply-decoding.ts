/**
 * Decoding the replies of the {@link RedisStore}'s scripts and reads into Store values: schedules
 * and claim batches (reusing parsed definitions), commit results and reaped run slots.
 *
 * @remarks
 * No I/O. Reply layouts are documented in the header of each script in `lua/`; schedule hashes
 * are decoded by `claimed-schedule.ts`.
 */
import { Buffer } from 'node:buffer';
import type { ClaimBatch, Claim, CommitItem, CommitResult, CommittedRun, RunSlot, ScheduleDefinition, StoredSchedule } from '../store.js';
import { ClaimedSchedule, decodeSchedule, type ScheduleFields } from './claimed-schedule.js';
import { deepFreeze } from '../deep-freeze.js';
import { RedisScriptError } from '../../errors.js';
import type { RedisKeys } from './keys.js';

/**
 * Decodes schedules and claims, keeping each schedule's parsed definition while its stored hash
 * is unchanged (so claims parse no JSON).
 */
export class ScheduleDecoder {
  /** Parsed definitions by id, reused while the stored hash is unchanged (claims parse no JSON). */
  readonly #definitions = new Map<string, { hash: string; definition: ScheduleDefinition }>();

  /** Decodes a schedule (see {@link ScheduleDecoder.definition}). */
  schedule(id: string, fields: ScheduleFields): StoredSchedule {
    return decodeSchedule(fields, this.definition(id, fields));
  }

  /**
   * Decodes a `claim-due-3.lua` reply of `owner`'s claim: Redis's clock, the next wakeup (`''`:
   * none), the info pairs, the lease end, then per claim its id, hash and packed state (see the
   * script's header). Schedule keys of the wrong type go to `onBadKey`. A claim whose definition
   * is not known here by its hash is listed in `unknown` with its place in `claims` (left empty),
   * for the caller to read and fill with {@link ScheduleDecoder.claim}.
   */
  claimBatch(
    reply: readonly unknown[], owner: string, onBadKey: (key: string) => void,
  ): ClaimBatch & { readonly unknown?: UnknownDefinition[]; readonly ahead?: AheadEntry[] } {
    const leaseUntil = Number(reply[3]);
    const claims: Claim[] = new Array<Claim>((reply.length - 4) / 3);
    let unknown: UnknownDefinition[] | undefined;
    for (let i = 4, at = 0; i + 2 < reply.length; i += 3, at++) {
      const id = reply[i] as string;
      const hash = reply[i + 1] as string;
      const state = reply[i + 2] as string;
      const definition = this.known(id, hash);
      if (definition === undefined) (unknown ??= []).push({ id, hash, state, owner, leaseUntil, at });
      else claims[at] = new ClaimedSchedule(definition, hash, state, leaseUntil);
    }
    const wakeup = reply[1] as string;
    const info = reply[2] as readonly string[];
    let generation = '';
    let lost: string[] | undefined;
    let ahead: AheadEntry[] | undefined;
    for (let i = 0; i + 1 < info.length; i += 2) {
      const value = info[i + 1] as string;
      if (info[i] === 'gen') generation = value;
      else if (info[i] === 'lost') (lost ??= []).push(value);
      else if (info[i] === 'bad') onBadKey(value);
      else if (info[i] === 'ahead') ahead = decodeAheadEntries(value);
    }
    const batch = { claims, now: Number(reply[0]), nextWakeup: wakeup === '' ? null : Number(wakeup), generation };
    const withLost = lost === undefined ? batch : { ...batch, lost };
    const withAhead = ahead === undefined ? withLost : { ...withLost, ahead };
    return unknown === undefined ? withAhead : { ...withAhead, unknown };
  }

  /**
   * The claim of an {@link UnknownDefinition}, given its definition JSON and hash as read after
   * the claim. A hash other than the claimed one means the schedule was updated since, which
   * cancelled the claim: it is decoded with the newer definition and its commit is refused as
   * stale.
   */
  claim(unknown: UnknownDefinition, def: string, hash: string): Claim {
    const definition = this.definition(unknown.id, [def, hash]);
    return new ClaimedSchedule(definition, unknown.hash, unknown.state, unknown.leaseUntil);
  }

  /** The definition kept for `id` when its hash is `hash`. */
  known(id: string, hash: string): ScheduleDefinition | undefined {
    const cached = this.#definitions.get(id);
    return cached !== undefined && cached.hash === hash ? cached.definition : undefined;
  }

  /** A schedule's definition, its JSON parsed only when its hash changed since last seen. */
  definition(id: string, fields: ScheduleFields): ScheduleDefinition {
    const hash = fields[1] ?? '';
    const cached = this.#definitions.get(id);
    if (cached !== undefined && cached.hash === hash) return cached.definition;
    const definition = deepFreeze(JSON.parse(fields[0] as string) as ScheduleDefinition);
    this.#definitions.set(id, { hash, definition });
    return definition;
  }

  /** Drops the definition kept for `id` (the schedule was removed or not found). */
  forget(id: string): void {
    this.#definitions.delete(id);
  }
}

/** One schedule a claim committed ahead, as `claim-due-3.lua` lists it. */
export interface AheadEntry {
  readonly id: string;
  /** The schedule's hash when committed. */
  readonly hash: string;
  readonly scheduledAt: number;
  readonly nextRunAt: number | null;
  /** Occurrences the plan missed before `scheduledAt`, with the oldest and newest of them. */
  readonly missedCount: number;
  readonly missed?: { readonly first: number; readonly last: number };
}

/**
 * Decodes the `ahead` info of a `claim-due-3.lua` reply: per schedule
 * `<n>:<id><n>:<hash><scheduledAt>,<next run>[,<missed>,<first>,<last>];`, each `<n>` a UTF-8 byte length.
 */
export function decodeAheadEntries(packed: string): AheadEntry[] {
  // Lengths count UTF-8 bytes. ASCII text (the usual ids) is parsed as it is; other text as one
  // latin1 character per byte, so offsets still match, and its id and hash are decoded back.
  const ascii = Buffer.byteLength(packed) === packed.length;
  const text = ascii ? packed : Buffer.from(packed).toString('latin1');
  const utf8 = (part: string): string => (ascii ? part : Buffer.from(part, 'latin1').toString('utf8'));
  const entries: AheadEntry[] = [];
  let pos = 0;
  while (pos < text.length) {
    const idColon = text.indexOf(':', pos);
    const idTo = idColon + 1 + Number(text.slice(pos, idColon));
    const hashColon = text.indexOf(':', idTo);
    const hashTo = hashColon + 1 + Number(text.slice(idTo, hashColon));
    const comma = text.indexOf(',', hashTo);
    const semi = text.indexOf(';', comma);
    if (idColon < 0 || hashColon < 0 || comma < 0 || semi < 0) throw malformedAhead(pos);
    entries.push(aheadEntry(utf8(text.slice(idColon + 1, idTo)), utf8(text.slice(hashColon + 1, hashTo)), text.slice(hashTo, comma), text.slice(comma + 1, semi)));
    pos = semi + 1;
  }
  return entries;
}

/** One entry from its id, hash, occurrence and `<next run>[,<missed>,<first>,<last>]`. */
function aheadEntry(id: string, hash: string, at: string, rest: string): AheadEntry {
  const comma = rest.indexOf(',');
  const next = comma === -1 ? rest : rest.slice(0, comma);
  const entry = { id, hash, scheduledAt: Number(at), nextRunAt: next === '' ? null : Number(next), missedCount: 0 };
  if (comma === -1) return entry;
  const [missedCount, first, last] = rest.slice(comma + 1).split(',');
  return { ...entry, missedCount: Number(missedCount), missed: { first: Number(first), last: Number(last) } };
}

function malformedAhead(pos: number): RedisScriptError {
  return new RedisScriptError(`claim-due-3.lua answered a malformed "ahead" entry at byte ${pos}: the script and the store disagree on the reply layout; deploy one version of @xcore/scheduler to every process.`);
}

/** A claim read without its definition, which the decoder did not know by its hash. */
export interface UnknownDefinition {
  readonly id: string;
  /** The schedule's hash at the claim. */
  readonly hash: string;
  /** The claim's packed state (see `claim-due-3.lua`). */
  readonly state: string;
  readonly owner: string;
  readonly leaseUntil: number;
  /** Its place in the batch's claims (earliest first). */
  readonly at: number;
}

/**
 * Decodes a `commit-2.lua` reply of `owner`'s commit (one string, one word per item, see the
 * script's header) into one result per item; a missing word reads as `missing`, and a key of the
 * wrong type goes to `onBadKey` (the schedule hash or the job's slot set, named from the id).
 */
export function decodeCommitResults(
  items: readonly CommitItem[], reply: string, owner: string, keys: Pick<RedisKeys, 'schedule' | 'jobSlots'>, onBadKey: (key: string) => void,
): CommitResult[] {
  const words = reply === '' ? [] : reply.split(' ');
  const results = new Array<CommitResult>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const word = words[i] ?? 'm';
    const kind = word.charCodeAt(0);
    if (kind === 111 /* o */) {
      results[i] = okResult(item, word, owner);
    } else if (kind === 99 /* c */) {
      onBadKey(word === 'cj' ? keys.jobSlots(item.id) : keys.schedule(item.id));
      results[i] = { id: item.id, ok: false, reason: 'corrupt' };
    } else {
      results[i] = { id: item.id, ok: false, reason: kind === 115 /* s */ ? 'stale' : 'missing' };
    }
  }
  return results;
}

/** An `o` word: `,<scheduledAt>` per accepted occurrence, each followed by `+`/`-` (slotted or not) with slots. */
function okResult(item: CommitItem, word: string, owner: string): CommitResult {
  const accepted: number[] = [];
  const runs: CommittedRun[] | undefined = item.slots === undefined ? undefined : [];
  for (let from = 2; from <= word.length; ) {
    let to = word.indexOf(',', from);
    if (to === -1) to = word.length;
    const last = word.charCodeAt(to - 1);
    const slot = last === 43 /* + */ || last === 45; /* - */
    const at = word.slice(from, slot ? to - 1 : to);
    accepted.push(Number(at));
    if (runs !== undefined && slot) runs.push({ runId: `${at}@${owner}`, slotted: last === 43 });
    from = to + 1;
  }
  return runs === undefined ? { id: item.id, ok: true, accepted } : { id: item.id, ok: true, accepted, runs };
}

/** Decodes a `reap-slots-2.lua` reply: pairs of slot JSON and lease expiry. */
export function decodeReapedSlots(reply: readonly string[]): RunSlot[] {
  const slots: RunSlot[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const data = JSON.parse(reply[i] as string) as Omit<RunSlot, 'leaseUntil'>;
    // Keep the RunSlot shape: leaseMs and suspect are the store's bookkeeping.
    slots.push({ jobId: data.jobId, runId: data.runId, scheduledAt: data.scheduledAt, owner: data.owner, leaseUntil: Number(reply[i + 1]) });
  }
  return slots;
}
