/**
 * The shipped default app (`xcore.yaml` at the repository root) through the real binary.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runXcore, type XcoreProcess } from './helpers/cli-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const running: XcoreProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.child.kill('SIGKILL');
});

describe('the default app', () => {
  it('writes plain JSON lines, without colour codes, when its output is not a terminal', async () => {
    const app = runXcore(['start'], { cwd: ROOT, env: { FORCE_COLOR: '1' } });
    running.push(app);
    const beat = await app.waitFor((line) => line.msg === 'heartbeat', 30_000);
    expect(typeof beat.lagP99Ms).toBe('number');
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(app.lines.length).toBeGreaterThan(3);
    expect(app.lines.filter((line) => 'raw' in line)).toEqual([]);
    expect(app.stderr()).not.toContain('\u001b[');
  }, 60_000);
});
