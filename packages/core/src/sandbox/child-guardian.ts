/**
 * The guardian: one small helper process per host that SIGKILLs the host's child processes (job
 * children of the `process` executor, sandbox processes) when the host dies without stopping them.
 *
 * @remarks
 * A child exits by itself when the host's IPC channel closes, but only if its event loop turns:
 * a child stuck in a busy loop never sees the channel close, and a host that is SIGKILLed (or
 * aborts) cannot kill it. The guardian is a separate Node.js process with nothing to do but wait:
 * the host tells it each child's pid (and start time, so a reused pid is never killed); when the
 * host's IPC channel to the guardian closes (the host exited, however it exited) the guardian
 * SIGKILLs every child still registered and exits. It is started on the first guarded child,
 * holds no reference that keeps the host alive, gets an empty environment, and is restarted (with
 * every live child registered again) if it dies. The window not covered: a host killed between
 * forking a child and its registration message being written (microseconds, same tick).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The guardian's program (`node -e`): registrations in, SIGKILL of every live one when the host
 * goes away. Start times come from `/proc/<pid>/stat` (field 22) on Linux; elsewhere a pid is
 * killed without that check.
 */
const GUARDIAN_SOURCE = `
const { readFileSync } = require('node:fs');
const watched = new Map();
function startTime(pid) {
  try {
    const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch { return undefined; }
}
process.on('message', (m) => {
  if (m && m.t === 'watch') watched.set(m.pid, m.start);
  else if (m && m.t === 'unwatch') watched.delete(m.pid);
});
process.on('disconnect', () => {
  for (const [pid, start] of watched) {
    if (start !== undefined && startTime(pid) !== start) continue;
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
  process.exit(0);
});
`;

/** The start time of `pid` (clock ticks since boot, as text) from `/proc`, or `undefined` off Linux. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * The resident memory of `pid` in bytes, read from `/proc/<pid>/status` (Linux); `undefined`
 * elsewhere or when the process is gone. Used by the RSS watchdogs of sandbox and job children.
 *
 * @example
 * ```ts
 * if ((residentBytes(child.pid!) ?? 0) > maxRssMb * 1_048_576) child.kill('SIGKILL');
 * ```
 */
export function residentBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Children registered now: pid to start time. */
const guarded = new Map<number, string | undefined>();
let guardian: ChildProcess | undefined;

function send(message: { t: 'watch' | 'unwatch'; pid: number; start?: string | undefined }): void {
  const g = guardian;
  if (g?.connected !== true) return;
  try {
    g.send(message, () => undefined);
  } catch {
    // The guardian is going away; it is started again on the next registration.
  }
}

/** The guardian, started (or restarted with every live child registered again) on demand. */
function ensureGuardian(): void {
  if (guardian?.connected === true) return;
  const g = spawn(process.execPath, ['--max-old-space-size=16', '-e', GUARDIAN_SOURCE], {
    env: {},
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    // Not in the host's terminal process group: a Ctrl-C reaches the host, which stops its
    // children itself; the guardian must outlive the host to do its work.
    detached: true,
    serialization: 'json',
  });
  guardian = g;
  g.once('error', () => {
    if (guardian === g) guardian = undefined;
  });
  g.once('exit', () => {
    if (guardian === g) guardian = undefined;
  });
  // The guardian must never keep the host alive.
  g.unref();
  (g.channel as { unref?: () => void } | undefined)?.unref?.();
  for (const [pid, start] of guarded) send({ t: 'watch', pid, start });
}

/**
 * Registers `child` with the guardian: if the host dies while `child` runs, the guardian SIGKILLs
 * it. The registration ends by itself when `child` exits.
 *
 * @example
 * ```ts
 * const child = fork(file, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
 * guardChild(child);
 * ```
 */
export function guardChild(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const start = startTimeOf(pid);
  guarded.set(pid, start);
  ensureGuardian();
  send({ t: 'watch', pid, start });
  child.once('exit', () => {
    guarded.delete(pid);
    send({ t: 'unwatch', pid });
  });
}

/** The guardian's pid while it runs (for tests). */
export function guardianPid(): number | undefined {
  return guardian?.connected === true ? guardian.pid : undefined;
}
