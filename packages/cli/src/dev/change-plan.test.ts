import { describe, expect, it } from 'vitest';
import { planChanges, type DevApp } from './change-plan.js';

const app: DevApp = {
  configFile: '/app/xcore.yaml',
  jobModules: ['/app/jobs/prune.ts'],
  plugins: [
    { name: 'health', folder: '/app/plugins/health', manifest: '/app/plugins/health/package.json', dependents: ['heartbeat'], enabled: true },
    { name: 'heartbeat', folder: '/app/plugins/heartbeat', manifest: '/app/plugins/heartbeat/package.json', dependents: [], enabled: true },
    { name: 'greeter', folder: '/app/plugins/greeter', manifest: '/app/plugins/greeter/package.json', dependents: [], enabled: true },
    { name: 'spare', folder: '/app/plugins/spare', manifest: '/app/plugins/spare/package.json', dependents: [], enabled: false },
  ],
};

describe('planChanges', () => {
  it('reloads each enabled plugin whose files changed, once', () => {
    expect(planChanges(app, ['/app/plugins/greeter/src/index.ts', '/app/plugins/heartbeat/src/a.ts', '/app/plugins/greeter/src/b.ts'])).toEqual({
      kind: 'reload',
      plugins: ['greeter', 'heartbeat'],
      files: ['/app/plugins/greeter/src/index.ts', '/app/plugins/heartbeat/src/a.ts', '/app/plugins/greeter/src/b.ts'],
    });
  });

  it('restarts for the config file, a YAML job module, a manifest, or a plugin others depend on', () => {
    expect(planChanges(app, ['/app/plugins/greeter/src/index.ts', '/app/xcore.yaml'])).toMatchObject({ kind: 'restart', reason: 'the config file changed' });
    expect(planChanges(app, ['/app/jobs/prune.ts'])).toMatchObject({ kind: 'restart', reason: 'a YAML job module changed' });
    expect(planChanges(app, ['/app/plugins/greeter/package.json'])).toMatchObject({ kind: 'restart', reason: 'the manifest of plugin "greeter" changed' });
    expect(planChanges(app, ['/app/plugins/health/src/index.ts'])).toMatchObject({ kind: 'restart', reason: 'plugin "health" changed and heartbeat depend on it' });
  });

  it('ignores node_modules, plugins that are not enabled and files elsewhere', () => {
    expect(planChanges(app, ['/app/plugins/greeter/node_modules/x/index.js', '/app/plugins/spare/src/index.ts', '/app/README.md', '/app/plugins/greeter'])).toEqual({ kind: 'none' });
  });
});
