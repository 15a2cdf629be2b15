/** The admin API as the page calls it: same-origin fetch with the session cookie and CSRF token. */

/** The http service's base path, from the page's `<meta name="xcore-base">`. */
export const BASE = document.querySelector<HTMLMetaElement>('meta[name="xcore-base"]')?.content ?? '';

/** An error answer of the admin API. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export type Scope = 'read' | 'operate' | 'admin';
export interface Identity { kind: string; subject: string; scopes: Scope[]; expiresAt?: string }
export interface Session { signedIn: boolean; auth: 'none' | 'verify'; identity: Identity | null; csrfToken: string | null; expiresAt: string | null }

export interface Run {
  status: 'succeeded' | 'failed' | 'timed_out' | 'aborted' | 'crashed' | 'out_of_memory' | 'missed' | 'skipped';
  scheduledAt: string; startedAt: string | null; finishedAt: string | null; durationMs: number | null; attempts: number;
  error?: string; owner?: string; manual?: boolean; requestedBy?: string; requestId?: string;
}
/** A run from the run log (or, without one, from the job's bounded history). */
export interface LoggedRun {
  runId: string | null; jobId: string; owner: string; outcome: Run['status']; scheduledAt: string; startedAt: string | null; finishedAt: string;
  durationMs: number | null; attempts: number; occurrences: number; error: string | null; errorStack: string | null; manual: boolean;
  requestedBy: string | null; process: string | null; result: unknown; resultOmitted: string | null;
}
export interface Job {
  id: string; owner: string; trigger: string; nextRunAt: string | null; lastRun: Run | null; paused: boolean; running: number;
  runningScope: 'cluster' | 'process'; attached: boolean; heldBy: string[]; removable: boolean;
}
export interface JobDetail extends Job {
  policy: Record<string, unknown>; args: unknown[]; runs: number; createdAt: string; updatedAt: string; triggerSpec: Record<string, unknown>;
}
export interface Page<T> { items: T[]; nextCursor: string | null }
export interface Plugin { name: string; version: string; state: string; error: { code?: string; name: string; message: string } | null; startMs: number | null; dependencies: Record<string, string> }
export interface SchedulerState {
  backend: string; owner: string; degraded: { reason: string; since: string } | null; firing: boolean; processes: number | null;
  processList: { owner: string; host: string; pid: number; since: string; plugins: string[]; self: boolean }[];
  counts: { jobs: number; paused: number; failing: number; running: number }; countedAt: string; runningScope: string;
}
export interface RunRequest { requestId: string; jobId: string; status: 'pending' | 'running' | 'finished' | 'expired'; record?: Run }

let csrfToken: string | null = null;
let onUnauthenticated: () => void = () => {};

/** Remembers the session's CSRF token (sent with every write). */
export function useSession(session: Session): void {
  csrfToken = session.csrfToken;
}

/** What to do when a call answers 401 (the session ended): show the sign-in form. */
export function whenSignedOut(handler: () => void): void {
  onUnauthenticated = handler;
}

/** Calls `method path` (relative to the base path) and returns its JSON; throws {@link ApiError}. */
export async function call<T>(method: string, path: string, body?: unknown, options: { signal?: AbortSignal; quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(`${BASE}${path}`, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiError(response.status, 'XCORE_ERR_DASHBOARD_BAD_ANSWER', `${method} ${path} answered ${response.status} with something that is not JSON`);
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    if (response.status === 401 && options.quiet401 !== true) onUnauthenticated();
    throw new ApiError(response.status, error?.code ?? 'XCORE_ERR_HTTP', error?.message ?? `${method} ${path} answered ${response.status}`);
  }
  return json as T;
}

/** `/admin/v1` + path. */
export const admin = <T>(method: string, path: string, body?: unknown, options?: { signal?: AbortSignal }): Promise<T> => call<T>(method, `/admin/v1${path}`, body, options);

/** A job id as a path segment. */
export const jobPath = (id: string): string => `/jobs/${encodeURIComponent(id)}`;

/** True when `scopes` hold `needed` (admin implies operate implies read). */
export function can(identity: Identity | null, needed: Scope): boolean {
  return identity !== null && identity.scopes.includes(needed);
}
