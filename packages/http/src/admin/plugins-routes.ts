/**
 * The admin API's plugin routes, through the kernel's operator plugin view: list with state and
 * error, one plugin, reload.
 */
import { PluginUnknownError, type PluginOperatorView, type PluginStatus } from '@xcore/core';
import { z } from 'zod';
import { HttpServiceUnavailableError } from '../errors.js';
import { defineRoute } from '../routes/route-definition.js';
import { pluginSchema } from './admin-schemas.js';
import type { AdminDeps } from './admin-routes.js';

/** A plugin status as JSON (the error reduced to code, name and message). */
export function pluginJson(status: PluginStatus): z.output<typeof pluginSchema> {
  const error = status.error;
  const code = (error as { code?: unknown } | undefined)?.code;
  return {
    name: status.name,
    version: status.version,
    state: status.state,
    error: error === undefined ? null : { ...(typeof code === 'string' ? { code } : {}), name: error.name, message: error.message },
    ...(status.dependency === undefined ? {} : { dependency: status.dependency }),
    startMs: status.startMs ?? null,
    dependencies: { ...status.dependencies },
    sandbox:
      status.sandbox === undefined
        ? null
        : { pid: status.sandbox.pid ?? null, restarts: status.sandbox.restarts, recentCrashes: status.sandbox.recentCrashes, lastCrash: status.sandbox.lastCrash ?? null },
  };
}

const nameParams = z.object({ name: z.string().min(1).max(214).describe('The plugin\'s name, URL-encoded (`@acme/billing` is `%40acme%2Fbilling`).') });

/** `GET /plugins`, `GET /plugins/{name}`, `POST /plugins/{name}/reload`. */
export function pluginsRoutes(deps: Pick<AdminDeps, 'plugins'>) {
  const view = (route: string): PluginOperatorView => {
    const plugins = deps.plugins();
    if (plugins === undefined) throw new HttpServiceUnavailableError(route, 'kernel\'s plugin view', 'Run the http service inside a kernel (xcore start).');
    return plugins;
  };
  return [
    defineRoute({
      method: 'GET',
      path: '/plugins',
      auth: 'read',
      operationId: 'listPlugins',
      summary: 'Every enabled plugin with its state and error',
      tags: ['plugins'],
      response: z.object({ items: z.array(pluginSchema) }),
      errorResponses: { 503: 'The server runs outside a kernel.' },
      handler: () => ({ items: view('GET /admin/v1/plugins').list().map(pluginJson) }),
    }),
    defineRoute({
      method: 'GET',
      path: '/plugins/:name',
      auth: 'read',
      operationId: 'getPlugin',
      summary: 'One plugin with its state and error',
      tags: ['plugins'],
      params: nameParams,
      response: pluginSchema,
      errorResponses: { 503: 'The server runs outside a kernel.' },
      handler: ({ params }) => {
        const plugins = view('GET /admin/v1/plugins/{name}');
        const status = plugins.get(params.name);
        if (status === undefined) throw new PluginUnknownError(params.name, plugins.list().map((p) => p.name).sort());
        return pluginJson(status);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/plugins/:name/reload',
      auth: 'admin',
      operationId: 'reloadPlugin',
      summary: 'Reload a plugin: stop it, re-import its code, start it again',
      description:
        'Answers the plugin as it is after the reload. 404 `XCORE_ERR_PLUGIN_UNKNOWN` for a name no enabled plugin has; 409 `XCORE_ERR_PLUGIN_RELOAD_REFUSED` (nothing changed) when it has started dependents, a dependency is not started, it is disabled for a dependency problem, or a reload of it runs; 409 `XCORE_ERR_PLUGIN_RELOAD_FAILED` when its new code failed to start (it is `failed` now; GET /plugins/{name} shows the error).',
      tags: ['plugins'],
      params: nameParams,
      response: pluginSchema,
      errorResponses: { 409: 'Refused (nothing changed) or failed (the plugin is failed now).', 503: 'The server runs outside a kernel.' },
      audit: { action: 'plugin.reload', target: (params) => params.name },
      handler: async ({ params }) => pluginJson(await view('POST /admin/v1/plugins/{name}/reload').reload(params.name)),
    }),
  ];
}
