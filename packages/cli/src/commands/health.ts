/**
 * `xcore health`: is the running host well? Its scheduler (backend, degraded or not, processes
 * sharing the store, job counts), its services' health and its plugins' states, in one answer
 * with an exit code a probe can use.
 */
import { parse } from '../args.js';
import type { CliIo } from '../cli.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { Plugin, SchedulerState, Services } from '../remote/admin-client.js';
import { utc } from '../render/format.js';
import { renderFields, type Cell } from '../render/table.js';
import { connect, REMOTE_OPTIONS } from './remote.js';

/** Help of `xcore health`. */
export const HEALTH_HELP = `  xcore health                 the host's scheduler, services and plugins; exit 7 when any is not ok
`;

/** What `xcore health --json` prints. */
export interface HealthReport {
  /** `ok`, or `degraded` when the scheduler or a service is degraded or a plugin failed. */
  readonly status: 'ok' | 'degraded';
  /** Each reason the status is not ok. */
  readonly problems: string[];
  /** The host's base URL. */
  readonly url: string;
  /** `GET /admin/v1/scheduler`, or null when the host runs no scheduler. */
  readonly scheduler: unknown;
  /** `GET /admin/v1/services`. */
  readonly services: unknown;
  /** `GET /admin/v1/plugins`. */
  readonly plugins: unknown;
}

/** Why a host is not ok, from its three answers. */
export function healthProblems(scheduler: SchedulerState | null, services: Services, plugins: readonly Plugin[]): string[] {
  const problems: string[] = [];
  if (scheduler?.degraded != null) problems.push(`scheduler degraded since ${utc(scheduler.degraded.since)} UTC: ${scheduler.degraded.reason}`);
  for (const s of services.services) {
    if (s.health !== undefined && s.health.status !== 'ok' && !(s.name === 'scheduler' && scheduler?.degraded != null)) {
      problems.push(`service ${s.name} ${s.health.status}${s.health.reason === undefined ? '' : `: ${s.health.reason}`}`);
    }
  }
  for (const p of plugins) if (p.state === 'failed') problems.push(`plugin ${p.name} failed${p.error === null ? '' : `: ${p.error.message.split('\n')[0]}`}`);
  return problems;
}

/** Runs `xcore health`. */
export async function healthCommand(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values } = parse(args, REMOTE_OPTIONS, 0);
  const { client, out } = await connect(values, io);
  const services = await client.services();
  const hasScheduler = services.value.services.some((s) => s.name === 'scheduler');
  const [scheduler, plugins] = await Promise.all([hasScheduler ? client.scheduler() : Promise.resolve(null), client.plugins()]);
  const problems = healthProblems(scheduler?.value ?? null, services.value, plugins.value.items);
  const status = problems.length === 0 ? 'ok' : 'degraded';
  if (out.json) {
    const report: HealthReport = { status, problems, url: client.target.url, scheduler: scheduler?.raw ?? null, services: services.raw, plugins: plugins.raw };
    out.printJson(report);
  } else {
    const s = scheduler?.value;
    const fields: [string, Cell][] = [
      ['status', { text: status, style: status === 'ok' ? 'green' : 'red' }],
      ['host', client.target.url],
      [
        'scheduler',
        s === undefined
          ? 'not running on this host'
          : `${s.backend}, ${s.degraded === null ? 'ok' : 'DEGRADED'}, ${s.firing ? 'firing' : 'not firing'}, ${s.processes === null ? 'unknown number of' : s.processes} process${s.processes === 1 ? '' : 'es'}`,
      ],
      ...(s === undefined ? [] : [['jobs', `${s.counts.jobs} (${s.counts.paused} paused, ${s.counts.failing} failing, ${s.counts.running} running)`] as [string, Cell]]),
      ['services', services.value.services.map((v) => (v.health === undefined ? v.name : `${v.name} (${v.health.status})`)).join(', ')],
      ['plugins', plugins.value.items.map((p) => `${p.name} ${p.state}`).join(', ') || '-'],
      ...problems.map((p): [string, Cell] => ['problem', { text: p, style: 'red' }]),
    ];
    io.stdout(renderFields(fields, out.table));
  }
  return status === 'ok' ? ExitCode.Ok : ExitCode.NotOk;
}
