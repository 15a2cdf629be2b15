/**
 * The README's plugin tutorial, as written: its package.json and src/index.ts are taken from the
 * README, put in a fresh app beside the shipped `health` plugin, and booted through the real
 * binary. `pnpm install` is what links a new plugin's dependencies; here the same links are made
 * by hand (node_modules/<package> -> the workspace's copy), so the test does not change the lockfile.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runXcore, type XcoreProcess } from './helpers/cli-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const running: XcoreProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.child.kill('SIGKILL');
});

/** The code block that follows the line `` `<file>`: `` in the README. */
function readmeBlock(readme: string, file: string): string {
  const at = readme.indexOf(`\`${file}\`:\n`);
  if (at < 0) throw new Error(`README has no block for ${file}`);
  const open = readme.indexOf('```', at);
  const start = readme.indexOf('\n', open) + 1;
  return readme.slice(start, readme.indexOf('\n```', start) + 1);
}

/** Links `name` into `folder`/node_modules as pnpm would: to the copy the test package itself has. */
function link(folder: string, name: string): void {
  const at = join(folder, 'node_modules', name);
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(realpathSync(join(ROOT, 'test', 'node_modules', name)), at, 'dir');
}

describe('the README plugin tutorial', () => {
  it('boots as written: the plugin starts after health and registers both of its jobs', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'xcore-tutorial-'));
    const plugin = join(dir, 'plugins', 'invoices');
    mkdirSync(join(plugin, 'src'), { recursive: true });
    writeFileSync(join(plugin, 'package.json'), readmeBlock(readme, 'plugins/invoices/package.json'));
    writeFileSync(join(plugin, 'src', 'index.ts'), readmeBlock(readme, 'plugins/invoices/src/index.ts'));
    const manifest = JSON.parse(readFileSync(join(plugin, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies)) link(plugin, name);
    symlinkSync(join(ROOT, 'plugins', 'health'), join(dir, 'plugins', 'health'), 'dir');
    writeFileSync(
      join(dir, 'xcore.yaml'),
      ['plugins:', '  enabled: [health, invoices]', 'services:', '  http: { enabled: true, port: 0, auth: none }', ''].join('\n'),
    );

    const app = runXcore(['start'], { cwd: dir });
    running.push(app);
    const listening = await app.waitFor((line) => line.msg === 'http listening', 30_000);
    await app.waitFor((line) => line.msg === 'xcore started', 30_000);
    const started = app.lines.filter((line) => line.msg === 'plugin started').map((line) => line.plugin);
    expect(started).toEqual(['health', 'invoices']);
    const listed = await fetch(`${String(listening.url)}/admin/v1/jobs?owner=invoices`);
    const jobs = (await listed.json()) as { items: Array<{ id: string; trigger: string }> };
    expect(listed.status, JSON.stringify(jobs)).toBe(200);
    expect(jobs.items.map((job) => job.id).sort()).toEqual(['invoices:remind-overdue', 'invoices:sync-payments']);
    // The jobs run as written (the tutorial's stand-ins), not only register.
    const run = await fetch(`${String(listening.url)}/admin/v1/jobs/${encodeURIComponent('invoices:sync-payments')}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ wait: true }),
    });
    const record = (await run.json()) as Record<string, unknown>;
    expect(record, JSON.stringify(record)).toMatchObject({ status: 'finished', record: { status: 'succeeded', manual: true } });
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  }, 90_000);
});
