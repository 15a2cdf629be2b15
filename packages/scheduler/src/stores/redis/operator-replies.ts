/**
 * Decoding the replies of the {@link RedisStore}'s operator scripts (`list-page-2`, the run
 * request scripts, `processes-1`) into Store values. No I/O.
 */
import type { RunRecord } from '../store.js';
import type { PagedSchedule, ProcessInfo, ProcessPresence, RunRequest, RunRequestState, RunRequestStatus, SchedulePage } from '../store-operator.js';
import type { ScheduleFields } from './claimed-schedule.js';
import type { ScheduleDecoder } from './reply-decoding.js';

/** Fields of a run request hash, in the order {@link decodeRunRequestState} reads them. */
export const RUN_REQUEST_FIELDS = ['job', 'args', 'by', 'at', 'exp', 'status', 'owner', 'taken', 'record'] as const;

/** Decodes a `list-page-2.lua` reply: the next cursor, then `id, fields, running` per item. */
export function decodeListPage(reply: readonly unknown[], decoder: ScheduleDecoder): SchedulePage {
  const items: PagedSchedule[] = [];
  for (let i = 1; i + 2 < reply.length; i += 3) {
    const id = reply[i] as string;
    const schedule = decoder.schedule(id, reply[i + 1] as ScheduleFields);
    items.push({ ...schedule, running: Number(reply[i + 2]) });
  }
  const next = reply[0] as string;
  return { items, next: next === '' ? null : next };
}

/** A run request from its id and the values `job, args, by, at, exp`. */
export function decodeRunRequest(requestId: string, values: readonly (string | null)[]): RunRequest {
  const [jobId, args, by, at, exp] = values;
  return {
    requestId,
    jobId: jobId ?? '',
    ...(args === null || args === undefined || args === '' ? {} : { args: JSON.parse(args) as unknown[] }),
    requestedBy: by ?? '',
    requestedAt: Number(at),
    expiresAt: Number(exp),
  };
}

/** Decodes a `pending-runs-1.lua` reply: six values per request. */
export function decodePendingRuns(reply: readonly string[]): RunRequest[] {
  const out: RunRequest[] = [];
  for (let i = 0; i + 5 < reply.length; i += 6) out.push(decodeRunRequest(reply[i] as string, reply.slice(i + 1, i + 6)));
  return out;
}

/** A run request's state from its hash's {@link RUN_REQUEST_FIELDS}; `null` when the hash is gone. */
export function decodeRunRequestState(requestId: string, values: readonly (string | null)[]): RunRequestState | null {
  if (values[0] === null || values[0] === undefined) return null;
  const [, , , , , status, owner, taken, record] = values;
  return {
    request: decodeRunRequest(requestId, values),
    status: (status ?? 'pending') as RunRequestStatus,
    ...(owner === null || owner === undefined ? {} : { takenBy: owner }),
    ...(taken === null || taken === undefined ? {} : { takenAt: Number(taken) }),
    ...(record === null || record === undefined ? {} : { record: JSON.parse(record) as RunRecord }),
  };
}

/** Decodes a `processes-1.lua` reply: `owner, expiresAt, info JSON` per process (unreadable info skipped). */
export function decodeProcesses(reply: readonly string[]): ProcessPresence[] {
  const out: ProcessPresence[] = [];
  for (let i = 0; i + 2 < reply.length; i += 3) {
    try {
      out.push({ owner: reply[i] as string, expiresAt: Number(reply[i + 1]), info: JSON.parse(reply[i + 2] as string) as ProcessInfo });
    } catch {
      // Written by something else: not a process we can describe.
    }
  }
  return out.sort((a, b) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
}
