/**
 * `xcore dev` through the real, built CLI: editing a plugin's file reloads it (the new handler's
 * output appears, the interval job keeps its phase); a syntax error is logged and the old version
 * keeps running; editing xcore.yaml restarts the app in the same process.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killAppsAfterEach, removeTempAppsAfterAll, tempAppDir, track } from './helpers/cli-app.js';
import { runXcore } from './helpers/cli-process.js';

killAppsAfterEach();
removeTempAppsAfterAll();

/** The greeter plugin: a job every 200 ms that logs `greeting` with `text`. */
const greeter = (text: string): string => `export default {
  async onStart(ctx) {
    await ctx.getService('scheduler').addJob(({ logger, scheduledAt }) => logger.info({ text: ${JSON.stringify(text)}, at: scheduledAt.getTime() }, 'greeting'), { id: 'greet', every: '200ms' });
  },
};
`;

function writeApp(): string {
  const dir = tempAppDir('dev-');
  writeFileSync(join(dir, 'xcore.yaml'), 'app:\n  name: dev-fixture\n  shutdownTimeoutMs: 5s\nlogging:\n  level: info\n  pretty: false\nservices:\n  scheduler:\n    backend: memory\n');
  mkdirSync(join(dir, 'plugins', 'greeter', 'src'), { recursive: true });
  writeFileSync(join(dir, 'plugins', 'greeter', 'package.json'), JSON.stringify({ name: 'greeter', version: '1.0.0', type: 'module', xcore: { name: 'greeter', entry: './src/index.ts' } }));
  writeFileSync(join(dir, 'plugins', 'greeter', 'src', 'index.ts'), greeter('hello v1'));
  return dir;
}

describe('xcore dev', () => {
  it('reloads an edited plugin (new output, same phase), keeps the old version on a syntax error, and restarts with the new config on an xcore.yaml change', async () => {
    const dir = writeApp();
    const entry = join(dir, 'plugins', 'greeter', 'src', 'index.ts');
    const app = track(runXcore(['dev', '-c', join(dir, 'xcore.yaml')], { cwd: dir }));
    await app.waitFor((l) => l.msg === 'dev: watching for changes', 30_000);
    const v1 = await app.waitFor((l) => l.msg === 'greeting' && l.text === 'hello v1');

    writeFileSync(entry, greeter('hello v2'));
    const reloaded = await app.waitFor((l) => l.msg === 'dev: plugin reloaded', 20_000);
    expect(reloaded).toMatchObject({ plugin: 'greeter', files: [entry] });
    const v2 = await app.waitFor((l) => l.msg === 'greeting' && l.text === 'hello v2');
    // The interval keeps its phase across the reload: occurrences stay on v1's 200 ms grid.
    expect(((v2.at as number) - (v1.at as number)) % 200).toBe(0);

    writeFileSync(entry, `${greeter('hello v3')}\nexport const broken = ;\n`);
    const refused = await app.waitFor((l) => l.msg === 'dev: plugin not reloaded: its new code does not import; the old version keeps running', 20_000);
    expect(refused).toMatchObject({ level: 50, plugin: 'greeter' });
    const after = app.lines.length;
    await app.waitFor((l) => l.msg === 'greeting' && l.text === 'hello v2' && app.lines.indexOf(l) > after);
    expect(app.lines.some((l) => l.text === 'hello v3')).toBe(false);

    writeFileSync(entry, greeter('hello v4'));
    await app.waitFor((l) => l.msg === 'greeting' && l.text === 'hello v4', 20_000);

    writeFileSync(join(dir, 'xcore.yaml'), readFileSync(join(dir, 'xcore.yaml'), 'utf8').replace('name: dev-fixture', 'name: dev-renamed'));
    await app.waitFor((l) => l.msg === 'dev: restarting the app', 20_000);
    await app.waitFor((l) => l.msg === 'xcore started' && app.lines.indexOf(l) > after);
    const restartedAt = app.lines.length;
    await app.waitFor((l) => l.msg === 'greeting' && l.text === 'hello v4' && l.app === 'dev-renamed' && app.lines.indexOf(l) >= restartedAt);

    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });
});
