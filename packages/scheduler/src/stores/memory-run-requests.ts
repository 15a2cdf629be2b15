/**
 * The {@link MemoryStore}'s run requests and process presence (see `store-operator.ts`).
 *
 * @remarks
 * Pure data structures: the store passes its clock's `now` to every call. Finished and expired
 * requests are kept for {@link RUN_REQUEST_RETENTION_MS} (at most {@link MAX_RETAINED_REQUESTS}
 * of them), then forgotten, so a host answering run-now requests for months holds a bounded amount.
 */
import type { RunRecord } from './store.js';
import { RUN_REQUEST_RETENTION_MS, type ProcessInfo, type ProcessPresence, type RunRequest, type RunRequestInput, type RunRequestState } from './store-operator.js';
/** Most finished or expired requests kept (the oldest go first). */
export const MAX_RETAINED_REQUESTS = 10_000;

type MutableState = { -readonly [K in keyof RunRequestState]: RunRequestState[K] };

/** Pending, running and recently finished run requests. */
export class MemoryRunRequests {
  /** Pending requests, oldest first (insertion order). */
  private readonly pending = new Map<string, MutableState>();
  /** Taken requests that have not finished. */
  private readonly running = new Map<string, MutableState>();
  /** Finished or expired requests with the time they settled, oldest first. */
  private readonly settled = new Map<string, { state: MutableState; at: number }>();

  /** Records a new pending request. */
  request(input: RunRequestInput, now: number): RunRequestState {
    const request: RunRequest = {
      requestId: input.requestId,
      jobId: input.jobId,
      ...(input.args === undefined ? {} : { args: input.args }),
      requestedBy: input.requestedBy,
      requestedAt: now,
      expiresAt: now + input.ttlMs,
    };
    const state: MutableState = { request, status: 'pending' };
    this.pending.set(request.requestId, state);
    return { ...state };
  }

  /** Unexpired pending requests, oldest first; expired ones become `expired`. */
  list(limit: number, now: number): RunRequest[] {
    const out: RunRequest[] = [];
    for (const state of [...this.pending.values()]) {
      if (state.request.expiresAt <= now) this.settle(state, 'expired', now);
      else if (out.length < limit) out.push(state.request);
    }
    return out;
  }

  /** Takes a pending request for `owner`; `null` when not pending or expired. */
  take(owner: string, requestId: string, now: number): RunRequest | null {
    const state = this.pending.get(requestId);
    if (state === undefined) return null;
    if (state.request.expiresAt <= now) {
      this.settle(state, 'expired', now);
      return null;
    }
    this.pending.delete(requestId);
    state.status = 'running';
    state.takenBy = owner;
    state.takenAt = now;
    this.running.set(requestId, state);
    return state.request;
  }

  /** Marks a taken request finished; `false` when it was not running. */
  finish(requestId: string, record: RunRecord, now: number): boolean {
    const state = this.running.get(requestId);
    if (state === undefined) return false;
    this.running.delete(requestId);
    state.record = record;
    this.settle(state, 'finished', now);
    return true;
  }

  /** A request's state, or `null`. */
  get(requestId: string, now: number): RunRequestState | null {
    this.prune(now);
    const pending = this.pending.get(requestId);
    if (pending !== undefined && pending.request.expiresAt <= now) this.settle(pending, 'expired', now);
    const state = this.pending.get(requestId) ?? this.running.get(requestId) ?? this.settled.get(requestId)?.state;
    return state === undefined ? null : { ...state };
  }

  private settle(state: MutableState, status: 'finished' | 'expired', now: number): void {
    const id = state.request.requestId;
    this.pending.delete(id);
    state.status = status;
    this.settled.set(id, { state, at: now });
    this.prune(now);
  }

  private prune(now: number): void {
    for (const [id, { at }] of this.settled) {
      if (at > now - RUN_REQUEST_RETENTION_MS && this.settled.size <= MAX_RETAINED_REQUESTS) break;
      this.settled.delete(id);
    }
  }
}

/** The presence of the processes sharing a store. */
export class MemoryPresence {
  private readonly live = new Map<string, ProcessPresence>();

  /** Announces or renews `owner`. */
  announce(owner: string, info: ProcessInfo, ttlMs: number, now: number): void {
    this.live.delete(owner);
    this.live.set(owner, { owner, expiresAt: now + ttlMs, info });
  }

  /** Live processes (lapsed ones are forgotten). */
  list(now: number): ProcessPresence[] {
    for (const [owner, p] of this.live) if (p.expiresAt <= now) this.live.delete(owner);
    return [...this.live.values()].sort((a, b) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
  }

  /** Withdraws `owner`. */
  leave(owner: string): void {
    this.live.delete(owner);
  }
}
