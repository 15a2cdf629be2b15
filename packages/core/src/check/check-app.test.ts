import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fixtureApp, type FixtureApp } from '../kernel/kernel.fixtures.js';
import type { ServiceDefinition } from '../services/service.js';
import { appCheckError, checkApp } from './check-app.js';

let app: FixtureApp | undefined;
afterEach(() => app?.cleanup());

const SCHEMA_PLUGIN = `import { z } from 'zod';\nexport default { configSchema: z.strictObject({ n: z.number() }) };\n`;

describe('checkApp', () => {
  it('collects every problem with its position and effect instead of stopping at the first', async () => {
    app = fixtureApp([
      { name: 'a', source: SCHEMA_PLUGIN },
      { name: 'b', dependencies: { q: '^1.0.0' }, source: 'export default {};\n' },
      { name: 'c', source: 'const x = 1;\nthrow new Error("c cannot load");\nexport default {};\n' },
    ]);
    const loaded = app.load('  enabled: [a, ghost, b, c]\n  config:\n    a: { n: "x", extra: 1 }\n    zz: {}\n');
    const check = await checkApp(loaded);
    const file = loaded.file;
    const byCode = (code: string) => check.problems.filter((p) => p.code === code).map((p) => ({ at: p.at, effect: p.effect }));
    expect(byCode('XCORE_ERR_PLUGIN_NOT_FOUND')).toEqual([{ at: `${file}:4:16`, effect: 'fatal' }]);
    expect(byCode('XCORE_ERR_PLUGIN_CONFIG_ORPHAN')).toEqual([{ at: `${file}:7:5`, effect: 'fatal' }]);
    expect(byCode('XCORE_ERR_PLUGIN_DEPENDENCY_MISSING')).toEqual([{ at: expect.stringMatching(/plugins\/b\/package\.json:\d+:\d+$/), effect: 'plugin' }]);
    expect(byCode('XCORE_ERR_PLUGIN_IMPORT_FAILED')).toEqual([{ at: expect.stringMatching(/plugins\/c\/index\.ts:\d+:\d+$/), effect: 'plugin' }]);
    const configIssues = check.problems.filter((p) => p.code === 'XCORE_ERR_CONFIG_INVALID');
    expect(configIssues.map((p) => p.at)).toEqual([`${file}:6:13`, `${file}:6:18`]);
    expect(configIssues.map((p) => p.message)).toEqual([expect.stringMatching(/^plugins\.config\.a\.n: expected number/), expect.stringMatching(/^plugins\.config\.a\.extra: expected one of the known keys \(n\), found unknown key "extra"/)]);

    const refused = appCheckError(check, false);
    expect(refused).toMatchObject({ code: 'XCORE_ERR_APP_INVALID' });
    expect((refused as unknown as { problems: unknown[] }).problems).toHaveLength(4);
    expect((appCheckError(check, true) as unknown as { problems: unknown[] }).problems).toHaveLength(6);
  });

  it('throws the one problem boot refuses with as its own coded error', async () => {
    app = fixtureApp([{ name: 'a', source: SCHEMA_PLUGIN }]);
    const check = await checkApp(app.load('  config:\n    a: { n: "x" }\n'));
    expect(appCheckError(check, false)).toMatchObject({ code: 'XCORE_ERR_CONFIG_INVALID' });
    app.writePlugin({ name: 'b', source: 'export default {};\n' });
    expect(appCheckError(await checkApp(app.load('  config:\n    a: { n: 1 }\n')), false)).toBeUndefined();
  });

  it('runs each created service check, positions its problems and keeps what it prepared; skips disabled sections', async () => {
    app = fixtureApp();
    const calls: string[] = [];
    const service = (name: string): ServiceDefinition =>
      ({
        name,
        configSchema: z.strictObject({ enabled: z.boolean().default(true), n: z.number().default(1) }).prefault({}),
        check: ({ config, loaded }: { config: { n: number }; loaded: { file: string } }) => {
          calls.push(name);
          return { problems: config.n > 1 ? [Object.assign(new Error(`${loaded.file}:9:3: n is ${config.n}`), { code: 'XCORE_ERR_TEST' })] : [], prepared: `ready-${name}` };
        },
        create: () => ({}),
      }) as unknown as ServiceDefinition;
    const services = [service('one'), service('two'), service('off')];
    const check = await checkApp(app.load('', services, 'services:\n  one: { n: 2 }\n  off: { enabled: false, n: 5 }\n'), { services });
    expect(calls).toEqual(['one', 'two']);
    expect(check.problems.map((p) => [p.at, p.message, p.code])).toEqual([[`${app.dir}/xcore.yaml:9:3`, 'n is 2', 'XCORE_ERR_TEST']]);
    expect([...check.prepared]).toEqual([['one', 'ready-one'], ['two', 'ready-two']]);
    expect(check.services).toEqual(['one', 'two']);
  });
});
