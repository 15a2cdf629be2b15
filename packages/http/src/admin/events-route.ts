/**
 * `GET /admin/v1/events`: a live Server-Sent Events stream of job, scheduler and plugin events.
 */
import type { EventBus } from '@xcore/core';
import { z } from 'zod';
import { defineRoute } from '../routes/route-definition.js';
import type { AdminDeps } from './admin-routes.js';
import type { EventStream } from './event-stream.js';

/** Job and scheduler event types (from the scheduler's operator view). */
const SCHEDULER_TYPES = [
  'job.added', 'job.removed', 'job.modified', 'job.paused', 'job.resumed', 'job.started', 'job.succeeded', 'job.failed', 'job.timed_out',
  'job.aborted', 'job.missed', 'job.skipped', 'job.overdue', 'job.stuck', 'scheduler.degraded', 'scheduler.recovered',
] as const;
/** Plugin lifecycle events (from the kernel's event bus). */
const PLUGIN_TYPES = ['plugin.started', 'plugin.stopped', 'plugin.failed'] as const;
const ALL_TYPES: readonly string[] = [...SCHEDULER_TYPES, ...PLUGIN_TYPES];

/** The event types a `types` list names: exact types and the groups `job.*`, `scheduler.*`, `plugin.*`. */
function expand(list: string | undefined): string[] {
  if (list === undefined || list.trim() === '') return [...ALL_TYPES];
  const out = new Set<string>();
  for (const part of list.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (part.endsWith('.*')) for (const type of ALL_TYPES.filter((t) => t.startsWith(part.slice(0, -1)))) out.add(type);
    else out.add(part);
  }
  return [...out];
}

const typesQuery = z
  .string()
  .max(1000)
  .optional()
  .refine((value) => value === undefined || value.split(',').map((p) => p.trim()).filter((p) => p !== '').every((p) => ALL_TYPES.includes(p) || ['job.*', 'scheduler.*', 'plugin.*'].includes(p)), {
    message: `types is a comma-separated list of ${ALL_TYPES.join(', ')} or the groups job.*, scheduler.*, plugin.*`,
  })
  .describe('Comma-separated event types or groups (`job.*`, `scheduler.*`, `plugin.*`); default every type.');

/** A plugin event as it is streamed. */
function pluginEvent(type: string, payload: { plugin: string; hook?: string; error?: unknown; durationMs?: number }): { type: string; time: string; owner: string; data: Record<string, unknown> } {
  const { plugin, error, ...rest } = payload;
  return {
    type,
    time: new Date().toISOString(),
    owner: plugin,
    data: { plugin, ...rest, ...(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) }) },
  };
}

/** Subscribes `stream` to the bus's plugin events of `types` that pass the owner filter. */
function followPlugins(bus: EventBus, stream: EventStream, types: readonly string[], owner: string | undefined, nextId: () => number): void {
  for (const type of PLUGIN_TYPES.filter((t) => types.includes(t))) {
    const off = bus.on(type, (payload) => {
      if (owner !== undefined && payload.plugin !== owner) return;
      stream.send(nextId(), { type, data: pluginEvent(type, payload) });
    });
    stream.onClose(off);
  }
}

/** The events route. */
export function eventsRoute(deps: Pick<AdminDeps, 'scheduler' | 'events' | 'streams' | 'keepAliveMs'>) {
  return defineRoute({
    method: 'GET',
    path: '/events',
    auth: 'read',
    operationId: 'events',
    summary: 'A live stream of job, scheduler and plugin events (Server-Sent Events)',
    description:
      '`text/event-stream`: each event has an `id:` (increasing), an `event:` (its type) and a JSON `data:` line `{ type, time, jobId?, owner?, data }`. A comment line is sent every 15 s when nothing else was. ' +
      'Filters: `job` (one job id; scheduler events still come), `owner` (a plugin or owner name), `types`. Events are this process\'s (on Redis each process streams what happens in it). ' +
      'A client that leaves more than 1,000 events unread is sent a `dropped` event and disconnected; reconnect and re-read the state.',
    tags: ['events'],
    query: z.strictObject({
      job: z.string().min(1).max(1000).optional().describe('Only this job\'s events (and scheduler-wide ones).'),
      owner: z.string().min(1).max(214).optional().describe('Only events of this owner\'s jobs, or of this plugin (and scheduler-wide ones).'),
      types: typesQuery,
    }),
    handler: ({ query, requestId, signal }) => {
      const types = expand(query.types);
      const stream = deps.streams.open({ requestId, signal, ...(deps.keepAliveMs === undefined ? {} : { keepAliveMs: deps.keepAliveMs }) });
      const nextId = (): number => deps.streams.nextId();
      const view = deps.scheduler();
      const schedulerTypes = types.filter((t) => (SCHEDULER_TYPES as readonly string[]).includes(t));
      if (view !== undefined && schedulerTypes.length > 0) {
        const filter = { ...(query.job === undefined ? {} : { jobId: query.job }), ...(query.owner === undefined ? {} : { owner: query.owner }), types: schedulerTypes };
        stream.onClose(view.subscribe((event) => stream.send(nextId(), { type: event.type, data: event }), filter));
      }
      if (deps.events !== undefined && query.job === undefined) followPlugins(deps.events, stream, types, query.owner, nextId);
      return stream.response;
    },
  });
}
