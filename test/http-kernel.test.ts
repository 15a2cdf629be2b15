/**
 * The http service in a kernel built in code (scheduler + http, real plugin folders): plugin routes
 * through `ctx.getService('http')`, gone when the plugin stops, back after a reload; the admin API
 * lists the services with their health; the server closes with the kernel.
 */
import { createKernel, type Kernel } from '@xcore/core';
import { httpService } from '@xcore/http';
import { schedulerService } from '@xcore/scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureApp, memoryLogger, type FixtureApp } from '../packages/core/src/kernel/kernel.fixtures.js';
import { call, expectError, TOKENS, TOKEN_CONFIG } from '../packages/http/src/http.fixtures.js';

const SERVICES = [schedulerService, httpService] as never[];

/** A plugin whose onStart mounts two routes unless `globalThis.__web.mount` is false. */
const WEB_PLUGIN = `import { z } from 'zod';
const state = (globalThis.__web ??= { mount: true, version: 1, count: 0 });
export default {
  onStart(ctx) {
    if (!state.mount) return;
    const http = ctx.getService('http');
    http.route({
      method: 'GET', path: '/hello/:name', auth: 'public',
      params: z.object({ name: z.string().min(2) }),
      handler: ({ params }) => ({ hello: params.name, version: state.version }),
    });
    http.route({ method: 'POST', path: '/count', handler: () => ({ count: ++state.count }) });
  },
};
`;

const web = (): { mount: boolean; version: number; count: number } => (globalThis as unknown as { __web: { mount: boolean; version: number; count: number } }).__web;

let app: FixtureApp | undefined;
let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  app?.cleanup();
  kernel = undefined;
  app = undefined;
  delete (globalThis as { __web?: unknown }).__web;
});

async function boot(): Promise<{ url: string; lines: Record<string, unknown>[] }> {
  app = fixtureApp([{ name: 'web', source: WEB_PLUGIN }]);
  const tokens = TOKEN_CONFIG.map((t) => `\n        - { id: ${t.id}, token: "${t.token}", scopes: [${t.scopes.join(', ')}] }`).join('');
  const loaded = app.load('', SERVICES, `services:\n  http:\n    enabled: true\n    port: 0\n    auth:\n      tokens:${tokens}\n`);
  const { logger, lines } = memoryLogger();
  kernel = createKernel({ loaded, services: SERVICES, logger });
  await kernel.start();
  const listening = lines.find((l) => l.msg === 'http listening');
  return { url: String(listening?.url), lines };
}

describe('http service in a kernel', () => {
  it('serves a plugin\'s routes, drops them when it stops and mounts them again on reload', async () => {
    const { url } = await boot();
    const hello = `${url}/plugins/web/hello`;
    expect((await call(`${hello}/ada`)).body).toEqual({ hello: 'ada', version: 1 });
    expectError(await call(`${hello}/a`), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(`${url}/plugins/web/count`, { method: 'POST' }), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
    expect((await call(`${url}/plugins/web/count`, { method: 'POST', token: TOKENS.operate })).body).toEqual({ count: 1 });

    web().mount = false;
    await kernel!.reload('web');
    expectError(await call(`${hello}/ada`), 404, 'XCORE_ERR_HTTP_NOT_FOUND');

    web().mount = true;
    web().version = 2;
    await kernel!.reload('web');
    expect((await call(`${hello}/ada`)).body).toEqual({ hello: 'ada', version: 2 });
  });

  it('lists the services with their health on the admin API, and closes the server when the kernel stops', async () => {
    const { url } = await boot();
    const services = await call(`${url}/admin/v1/services`, { token: TOKENS.read });
    expect(services.body).toEqual({
      services: [{ name: 'config' }, { name: 'events' }, { name: 'health' }, { name: 'http' }, { name: 'logger' }, { name: 'scheduler', health: { status: 'ok' } }],
    });
    await kernel!.stop();
    await expect(fetch(`${url}/admin/v1/whoami`)).rejects.toThrow();
  });
});
