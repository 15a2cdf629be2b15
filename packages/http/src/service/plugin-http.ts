/**
 * A plugin's view of the http service: its routes live under `<basePath>/plugins/<plugin>` and go
 * away when it stops.
 */
import type { z } from 'zod';
import { HttpPluginStoppedError } from '../errors.js';
import type { AnyRouteDefinition, RouteDefinition } from '../routes/route-definition.js';
import type { RouteTable } from '../routes/route-table.js';
import type { HttpAddress, HttpService } from './http-service.js';

/** Where the plugin's routes are mounted, after the base path. */
export function pluginPrefix(plugin: string): string {
  return `/plugins/${plugin}`;
}

/**
 * What one start of a plugin gets from `ctx.getService('http')`.
 *
 * @remarks
 * Each start (a reload is a new start) gets a new view with an empty route table; the server
 * drops the table and closes the view when the plugin stops, so a timer the plugin forgot cannot
 * mount routes for a stopped plugin (`XCORE_ERR_HTTP_PLUGIN_STOPPED`).
 */
export class PluginHttp implements HttpService {
  readonly #plugin: string;
  readonly #table: RouteTable;
  readonly #address: () => HttpAddress | undefined;
  #stopped = false;

  constructor(plugin: string, table: RouteTable, address: () => HttpAddress | undefined) {
    this.#plugin = plugin;
    this.#table = table;
    this.#address = address;
  }

  /** Mounts a route under `/plugins/<plugin>`; see {@link HttpService.route}. */
  route<
    P extends z.ZodType | undefined = undefined,
    Q extends z.ZodType | undefined = undefined,
    B extends z.ZodType | undefined = undefined,
    R extends z.ZodType | undefined = undefined,
  >(def: RouteDefinition<P, Q, B, R>): () => void {
    if (this.#stopped) throw new HttpPluginStoppedError(this.#plugin, `route(${String(def?.method)} ${String(def?.path)})`);
    return this.#table.add(def as unknown as AnyRouteDefinition);
  }

  /** `<server url>/plugins/<plugin>`; `undefined` before the server listens. */
  get url(): string | undefined {
    const address = this.#address();
    return address === undefined ? undefined : `${address.url}${pluginPrefix(this.#plugin)}`;
  }

  /** The server's bound address; `undefined` before it listens. */
  get address(): HttpAddress | undefined {
    return this.#address();
  }

  /** True once the plugin stopped. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Called by the server when the plugin stops: removes its routes and closes the view. */
  close(): void {
    this.#stopped = true;
    this.#table.clear();
  }
}
