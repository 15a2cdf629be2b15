/**
 * The one live connection of the page: an EventSource on the admin API's event stream. Events are
 * handed to listeners in batches (at most one batch per {@link BATCH_MS}), so a burst of runs
 * causes one re-render, not one per event; nothing is polled.
 */
import { BASE } from './api.js';

/** An event as the stream sends it. */
export interface LiveEvent { type: string; time: string; jobId?: string; owner?: string; data: Record<string, unknown> }
type Listener = (events: LiveEvent[]) => void;
type StatusListener = (status: 'connecting' | 'live' | 'offline') => void;

const TYPES = [
  'job.added', 'job.removed', 'job.modified', 'job.paused', 'job.resumed', 'job.started', 'job.succeeded', 'job.failed', 'job.timed_out',
  'job.aborted', 'job.missed', 'job.skipped', 'job.overdue', 'job.stuck', 'scheduler.degraded', 'scheduler.recovered', 'plugin.started', 'plugin.stopped', 'plugin.failed',
];
/** Longest time an event waits before listeners see it. */
const BATCH_MS = 200;

const listeners = new Set<Listener>();
const statusListeners = new Set<StatusListener>();
let source: EventSource | undefined;
let pending: LiveEvent[] = [];
let timer: number | undefined;
/** Set when events were dropped or the stream reconnected: listeners should re-read their state. */
let resync = false;

function flush(): void {
  timer = undefined;
  const batch = pending;
  pending = [];
  if (resync) {
    resync = false;
    batch.push({ type: 'resync', time: new Date().toISOString(), data: {} });
  }
  for (const listener of listeners) listener(batch);
}

function queue(event: LiveEvent): void {
  pending.push(event);
  timer ??= window.setTimeout(flush, BATCH_MS);
}

function setStatus(status: 'connecting' | 'live' | 'offline'): void {
  document.documentElement.dataset['live'] = status;
  for (const listener of statusListeners) listener(status);
}

/** Opens the stream (once); the browser reconnects by itself after a network error. */
export function connect(): void {
  if (source !== undefined) return;
  setStatus('connecting');
  let opened = false;
  source = new EventSource(`${BASE}/admin/v1/events`, { withCredentials: false });
  source.addEventListener('open', () => {
    if (opened) {
      resync = true;
      timer ??= window.setTimeout(flush, BATCH_MS);
    }
    opened = true;
    setStatus('live');
  });
  source.addEventListener('error', () => setStatus(source?.readyState === EventSource.CLOSED ? 'offline' : 'connecting'));
  for (const type of TYPES) {
    source.addEventListener(type, (message) => {
      try {
        queue(JSON.parse((message as MessageEvent<string>).data) as LiveEvent);
      } catch {
        // A line that is not JSON is not an event of ours.
      }
    });
  }
  source.addEventListener('dropped', () => {
    resync = true;
  });
}

/** Closes the stream (sign-out). */
export function disconnect(): void {
  source?.close();
  source = undefined;
  setStatus('offline');
}

/** Receives batches of events until the returned function is called. */
export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Receives the connection's status. */
export function onStatus(listener: StatusListener): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}
