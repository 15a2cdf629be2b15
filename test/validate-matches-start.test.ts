/**
 * `xcore validate` reports exactly what `xcore start` would report before running a plugin hook.
 *
 * @remarks
 * For each mutation of a valid app (`helpers/app-mutations.ts`: every example of issue 10 point 3
 * and ~90 more), the real built binary runs `validate` and a short-lived `start` (stopped with
 * SIGTERM once it logged `xcore started`). `start` reports a problem when it refuses to boot (it
 * exits before `xcore started`) or when it boots with a plugin left out for a reason found before
 * any hook ran (a line before `xcore started` whose error has one of {@link BEFORE_HOOK_CODES}:
 * a failed import or a dependency problem, which `plugins.failFast: false` isolates). A plugin
 * whose own `onStart` throws is not such a problem: no check can see it without running it.
 * `validate` must exit non-zero exactly then, print every problem on its own line as
 * `file:line:col  message`, and print no stack.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MUTATIONS, writeMutatedApp, type Mutation } from './helpers/app-mutations.js';
import { runXcore } from './helpers/cli-process.js';

/** Codes of the problems that leave a plugin out before any hook runs. */
const BEFORE_HOOK_CODES: ReadonlySet<string> = new Set([
  'XCORE_ERR_PLUGIN_IMPORT_FAILED',
  'XCORE_ERR_PLUGIN_DEFINITION_INVALID',
  'XCORE_ERR_PLUGIN_DEPENDENCY_MISSING',
  'XCORE_ERR_PLUGIN_DEPENDENCY_VERSION',
  'XCORE_ERR_PLUGIN_DEPENDENCY_CYCLE',
]);

function errorCode(line: Record<string, unknown>): string | undefined {
  const err = line.err as { code?: unknown } | undefined;
  return typeof err?.code === 'string' ? err.code : undefined;
}

interface StartOutcome {
  /** True when start refused to boot or booted without a plugin. */
  readonly reported: boolean;
  readonly detail: string;
}

interface ValidateOutcome {
  readonly code: number;
  readonly stderr: string;
  readonly stdout: string;
}

async function runStart(dir: string): Promise<StartOutcome> {
  const proc = runXcore(['start', '-c', join(dir, 'xcore.yaml')], { cwd: dir });
  let booted = false;
  try {
    await proc.waitFor((line) => line.msg === 'xcore started', 90_000);
    booted = true;
  } catch {
    // Exited (or hung) before booting.
  }
  if (booted) proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 30_000);
  const code = await proc.exited;
  clearTimeout(timer);
  const bootedAt = proc.lines.findIndex((line) => line.msg === 'xcore started');
  const beforeBoot = bootedAt < 0 ? proc.lines : proc.lines.slice(0, bootedAt);
  const errors = beforeBoot.filter((line) => BEFORE_HOOK_CODES.has(errorCode(line) ?? ''));
  const logged = beforeBoot.filter((line) => typeof line.level === 'number' && line.level >= 50).map((l) => `${String(l.msg)} ${errorCode(l) ?? ''}`);
  const detail = `exit ${code}, ${booted ? 'booted' : 'did not boot'}; errors before boot: ${logged.join(' | ')}\n${proc.stderr().slice(0, 2_000)}`;
  return { reported: !booted || errors.length > 0, detail };
}

async function runValidate(dir: string): Promise<ValidateOutcome> {
  const proc = runXcore(['validate', join(dir, 'xcore.yaml')], { cwd: dir });
  const code = await proc.exited;
  return { code, stderr: proc.stderr(), stdout: proc.lines.map((l) => (typeof l.raw === 'string' ? l.raw : JSON.stringify(l))).join('\n') };
}

/** Problems `validate` printed that have no `file:line:col`, and stack frames it printed. */
function unpositioned(stderr: string): string[] {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  const [head, ...rest] = lines;
  const body = rest.filter((line) => !/^Fix (them|it)/.test(line));
  const bad = body.filter((line) => !/^ {2}\S.*:\d+:\d+ {2}\S/.test(line));
  if (head === undefined || !/problems?:$/.test(head)) bad.unshift(`(head) ${head ?? '(nothing)'}`);
  if (/^\s+at .+[:(]\d+/m.test(stderr)) bad.push('(a stack frame)');
  return bad;
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const at = next++;
        out[at] = await work(items[at]!);
      }
    }),
  );
  return out;
}

describe('xcore validate against xcore start', () => {
  it(`agrees with start on ${MUTATIONS.length} mutations of a valid app, with file:line:col and no stack`, async () => {
    const results = await pool(MUTATIONS, 3, async (mutation: Mutation) => {
      const dir = writeMutatedApp(mutation);
      const [validate, start] = await Promise.all([runValidate(dir), runStart(dir)]);
      return { mutation, dir, validate, start };
    });
    const disagreements: string[] = [];
    const badOutput: string[] = [];
    for (const { mutation, dir, validate, start } of results) {
      const rejected = validate.code !== 0;
      if (rejected !== start.reported) {
        disagreements.push(
          `${mutation.name}: validate exit ${validate.code} (${(validate.stderr || validate.stdout).trim().slice(0, 600)}); start: ${start.detail.slice(0, 600)}\n  config: ${readFileSync(join(dir, 'xcore.yaml'), 'utf8').length} bytes in ${dir}`,
        );
      }
      if (rejected) {
        const bad = unpositioned(validate.stderr);
        if (bad.length > 0) badOutput.push(`${mutation.name}:\n${bad.map((line) => `    ${line}`).join('\n')}`);
      } else {
        expect(validate.stdout, mutation.name).toMatch(/^OK /);
      }
    }
    console.log(`validate vs start: ${disagreements.length} of ${MUTATIONS.length} disagree; ${badOutput.length} validate outputs lack file:line:col or show a stack`);
    expect(disagreements, disagreements.join('\n\n')).toEqual([]);
    expect(badOutput, badOutput.join('\n')).toEqual([]);
  }, 900_000);
});
