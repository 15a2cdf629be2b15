/**
 * `xcore jobs ls|show|run|pause|resume|reschedule|rm|history`: the scheduler's operator view of a
 * running host, through its admin API.
 */
import { parseDuration } from '@xcore/core';
import { integerOption, jsonOption, parse, required } from '../args.js';
import type { CliIo } from '../cli.js';
import { CliUsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { JobDetail, JobQuery, RunRequest } from '../remote/admin-client.js';
import { duration, jobStateCell, statusCell, utc } from '../render/format.js';
import { renderFields } from '../render/table.js';
import { connect, REMOTE_OPTIONS, type RemoteOutput } from './remote.js';
import { jobTable, readJobs } from './job-listing.js';
import { historyCommand } from './history.js';
import { watchJobs } from './watch-jobs.js';

/** Help of `xcore jobs`. */
export const JOBS_HELP = `  xcore jobs ls [filters] [--limit n] [--cursor c | --all] [--watch]
                               every job of every owner (filters: --owner <name>, --state
                               scheduled|paused|running|done, --paused / --no-paused,
                               --failing / --no-failing, --q <id text>)
  xcore jobs show <id>         one job: trigger, next and last run, policy, args
  xcore jobs run <id> [--args '<json array>'] [--wait [--timeout 30s]]
                               run it now, once in the cluster
  xcore jobs pause <id> | resume <id>
  xcore jobs reschedule <id> --every 5m | --cron '<expr>' [--timezone <tz>] | --at <iso> | --trigger '<json>'
  xcore jobs rm <id>           remove it (admin scope; where its owner allows it)
  xcore jobs history [<id>] [--limit n] [--cursor c | --all]
                               finished runs, newest first; with --owner, --outcome
                               succeeded,failed,..., --since <time>, --until <time> or
                               --manual / --no-manual: from the run log (GET /runs)
`;

/** Runs `xcore jobs <sub> ...`. */
export async function jobsCommand(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'ls':
    case 'list':
      return list(rest, io);
    case 'show':
    case 'get':
      return show(rest, io);
    case 'run':
      return run(rest, io);
    case 'pause':
    case 'resume':
      return pauseOrResume(sub, rest, io);
    case 'reschedule':
      return reschedule(rest, io);
    case 'rm':
    case 'remove':
      return remove(rest, io);
    case 'history':
      return historyCommand(rest, io);
    default:
      throw new CliUsageError(sub === undefined ? `Missing the jobs command.\n${JOBS_HELP}` : `Unknown jobs command "${sub}".\n${JOBS_HELP}`);
  }
}

const LIST_OPTIONS = {
  ...REMOTE_OPTIONS,
  owner: { type: 'string' },
  state: { type: 'string' },
  paused: { type: 'string' },
  failing: { type: 'string' },
  q: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
  watch: { type: 'boolean', short: 'w' },
} as const;

const STATES = ['scheduled', 'paused', 'running', 'done'];

async function list(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values } = parse(args, LIST_OPTIONS, 0, ['paused', 'failing']);
  if (values.state !== undefined && !STATES.includes(values.state)) throw new CliUsageError(`--state takes ${STATES.join(', ')}, not "${values.state}".`);
  if (values.all === true && values.cursor !== undefined) throw new CliUsageError('--all lists from the start; leave out --cursor.');
  const query: JobQuery = {
    owner: values.owner,
    state: values.state,
    paused: values.paused === undefined ? undefined : values.paused === 'true',
    failing: values.failing === undefined ? undefined : values.failing === 'true',
    q: values.q,
    limit: integerOption(values.limit, 'limit', 1, 500),
    cursor: values.cursor,
  };
  const { client, out } = await connect(values, io);
  if (values.watch === true) return watchJobs(client, query, values.all === true, out);
  const page = await readJobs(client, query, values.all === true);
  if (out.json) {
    out.printJson(page.raw);
    return ExitCode.Ok;
  }
  io.stdout(jobTable(page.items, out));
  if (page.items.length === 0) io.stderr('No jobs match.\n');
  if (page.nextCursor !== null) io.stderr(`More jobs: add --cursor ${page.nextCursor} (or --all for every page).\n`);
  return ExitCode.Ok;
}

async function show(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parse(args, REMOTE_OPTIONS, 1);
  const id = required(positionals, 'the job id', 'xcore jobs show <id>');
  const { client, out } = await connect(values, io);
  const job = await client.getJob(id);
  if (out.json) out.printJson(job.raw);
  else io.stdout(jobFields(job.value, out));
  return ExitCode.Ok;
}

/** A job's details as aligned `key  value` lines. */
export function jobFields(job: JobDetail, out: RemoteOutput): string {
  const last = job.lastRun;
  const p = job.policy;
  return renderFields(
    [
      ['id', job.id],
      ['owner', job.owner],
      ['trigger', `${job.trigger}  ${JSON.stringify(job.triggerSpec)}`],
      ['state', jobStateCell(job)],
      ['next run', job.nextRunAt === null ? '- (trigger exhausted)' : `${utc(job.nextRunAt)} UTC`],
      ['last run', last === null ? '-' : statusCell(last.status, `${utc(last.scheduledAt)} UTC, ${duration(last.durationMs)}${last.error === undefined ? '' : `: ${last.error}`}`)],
      ['running', `${job.running} (${job.runningScope === 'cluster' ? 'in the cluster' : 'in this process'})`],
      ['held by', job.heldBy.length === 0 ? '- (no live process has its handler)' : job.heldBy.join(', ')],
      ['attached', job.attached ? 'yes (this process has its handler)' : 'no'],
      ['removable', job.removable ? 'yes' : 'no'],
      ['policy', `maxInstances ${p.maxInstances}, overlap ${p.overlap}, coalesce ${p.coalesce}, misfireGraceTime ${p.misfireGraceTimeMs === null ? 'none' : duration(p.misfireGraceTimeMs)}, timeout ${p.timeoutMs === null ? 'none' : duration(p.timeoutMs)}, retries ${p.retries}${p.retries > 0 ? ` every ${duration(p.retryDelayMs)}` : ''}, recover ${p.recover}`],
      ['args', JSON.stringify(job.args)],
      ['runs', String(job.runs)],
      ['created', `${utc(job.createdAt)} UTC`],
      ['updated', `${utc(job.updatedAt)} UTC`],
    ],
    out.table,
  );
}

const RUN_OPTIONS = { ...REMOTE_OPTIONS, args: { type: 'string' }, wait: { type: 'boolean' }, timeout: { type: 'string' } } as const;

async function run(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parse(args, RUN_OPTIONS, 1);
  const id = required(positionals, 'the job id', 'xcore jobs run <id> [--args \'[1,2]\'] [--wait [--timeout 30s]]');
  let runArgs: unknown[] | undefined;
  if (values.args !== undefined) {
    const parsed = jsonOption(values.args);
    if (!Array.isArray(parsed)) throw new CliUsageError(`--args takes a JSON array, e.g. --args '["2026-12", 42]'; "${values.args}" is not one.`);
    runArgs = parsed;
  }
  if (values.timeout !== undefined && values.wait !== true) throw new CliUsageError('--timeout is how long --wait waits; add --wait.');
  const timeoutMs = values.timeout === undefined ? undefined : parseDuration(values.timeout);
  if (timeoutMs !== undefined && (timeoutMs < 1 || timeoutMs > 300_000)) throw new CliUsageError(`--timeout takes 1ms to 5m, not "${values.timeout}".`);
  if (values.timeout !== undefined && timeoutMs === undefined) throw new CliUsageError(`--timeout takes a duration such as 30s or 2m, not "${values.timeout}".`);
  const { client, out } = await connect(values, io);
  const answer = await client.runJob(id, {
    ...(runArgs === undefined ? {} : { args: runArgs }),
    ...(values.wait === true ? { wait: true } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  const request = answer.value;
  if (out.json) out.printJson(answer.raw);
  else io.stdout(runSummary(request));
  if (values.wait !== true) return ExitCode.Ok;
  return request.status === 'finished' && request.record?.status === 'succeeded' ? ExitCode.Ok : ExitCode.NotOk;
}

/** One line about a run request. */
export function runSummary(request: RunRequest): string {
  const record = request.record;
  const by = request.takenBy === undefined ? '' : ` in process ${request.takenBy}`;
  switch (request.status) {
    case 'finished':
      return `${request.jobId} ran${by}: ${record?.status ?? 'finished'}${record?.durationMs == null ? '' : ` in ${duration(record.durationMs)}`}${record?.error === undefined ? '' : `: ${record.error}`} (request ${request.requestId})\n`;
    case 'expired':
      return `${request.jobId} did not run: no process took request ${request.requestId} before ${utc(request.expiresAt)} UTC (is a process holding the job up?)\n`;
    default:
      return `${request.jobId}: run requested (request ${request.requestId}, ${request.status}${by}); its record will be in \`xcore jobs history ${request.jobId}\`\n`;
  }
}

async function pauseOrResume(sub: 'pause' | 'resume', args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parse(args, REMOTE_OPTIONS, 1);
  const id = required(positionals, 'the job id', `xcore jobs ${sub} <id>`);
  const { client, out } = await connect(values, io);
  const job = sub === 'pause' ? await client.pause(id) : await client.resume(id);
  if (out.json) out.printJson(job.raw);
  else io.stdout(`${job.value.id} ${sub === 'pause' ? 'paused' : `resumed; next run ${utc(job.value.nextRunAt)} UTC`}\n`);
  return ExitCode.Ok;
}

const RESCHEDULE_OPTIONS = {
  ...REMOTE_OPTIONS,
  every: { type: 'string' },
  cron: { type: 'string' },
  timezone: { type: 'string' },
  at: { type: 'string' },
  trigger: { type: 'string' },
} as const;

async function reschedule(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parse(args, RESCHEDULE_OPTIONS, 1);
  const id = required(positionals, 'the job id', 'xcore jobs reschedule <id> --every 5m | --cron <expr> [--timezone <tz>] | --at <iso> | --trigger <json>');
  const given = (['every', 'cron', 'at', 'trigger'] as const).filter((k) => values[k] !== undefined);
  if (given.length !== 1) throw new CliUsageError(`Give one new trigger: --every <duration>, --cron <expr>, --at <date> or --trigger <json>${given.length > 1 ? `, not ${given.map((g) => `--${g}`).join(' and ')}` : ''}.`);
  if (values.timezone !== undefined && values.cron === undefined) throw new CliUsageError('--timezone goes with --cron.');
  let trigger: Record<string, unknown>;
  if (values.every !== undefined) {
    const ms = parseDuration(values.every);
    if (ms === undefined || ms < 1) throw new CliUsageError(`--every takes a duration such as 30s, 5m or 1h30m, not "${values.every}".`);
    trigger = { type: 'interval', milliseconds: ms };
  } else if (values.cron !== undefined) {
    trigger = { type: 'cron', expression: values.cron, ...(values.timezone === undefined ? {} : { timezone: values.timezone }) };
  } else if (values.at !== undefined) {
    trigger = { type: 'date', runDate: values.at };
  } else {
    const parsed = jsonOption(values.trigger!);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new CliUsageError('--trigger takes a JSON object in the shape of a YAML trigger, e.g. \'{"type":"cron","expression":"0 9 * * 1-5"}\'.');
    }
    trigger = parsed as Record<string, unknown>;
  }
  const { client, out } = await connect(values, io);
  const job = await client.reschedule(id, trigger);
  if (out.json) out.printJson(job.raw);
  else io.stdout(`${job.value.id} rescheduled: ${job.value.trigger}; next run ${utc(job.value.nextRunAt)} UTC\n`);
  return ExitCode.Ok;
}

async function remove(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parse(args, REMOTE_OPTIONS, 1);
  const id = required(positionals, 'the job id', 'xcore jobs rm <id>');
  const { client, out } = await connect(values, io);
  await client.remove(id);
  if (out.json) out.printJson({ removed: id });
  else io.stdout(`${id} removed\n`);
  return ExitCode.Ok;
}
