/**
 * A tsx loader scope: TypeScript modules imported without a build step, as instances of their own.
 */
import { randomUUID } from 'node:crypto';
import { register as registerCommonJs } from 'tsx/cjs/api';
import { register as registerEsm } from 'tsx/esm/api';

/** Imports modules in one tsx namespace; see {@link createTsModuleScope}. */
export interface TsModuleScope {
  /** Imports `url` (a `file:` URL or a specifier) as `parentUrl` would; TypeScript loads as is. */
  import(url: string, parentUrl: string): Promise<Record<string, unknown>>;
}

/**
 * Creates a tsx loader namespace in which `.ts` modules load without a build step; modules imported
 * in it are instances of their own, separate from other scopes, and imported once per URL.
 *
 * @remarks
 * Both of tsx's hooks are registered under the namespace: the ESM loader and the CommonJS one. A
 * `.ts` file outside a `"type": "module"` package is loaded by Node's CommonJS loader, and on
 * Node.js 22.12 and later (`require(esm)`) that loader is handed the namespaced URL
 * (`file.ts?namespace=...`): without tsx's CommonJS hook under the same namespace it fails with
 * `Cannot find module '...ts?namespace=...'`. Both registrations stay for the life of the process
 * (a module may import lazily).
 *
 * @param namespace - Name of the scope. @defaultValue a random UUID
 */
export function createTsModuleScope(namespace: string = randomUUID()): TsModuleScope {
  registerCommonJs({ namespace });
  const scope = registerEsm({ namespace });
  return {
    import: async (url, parentUrl) => (await scope.import(url, parentUrl)) as Record<string, unknown>,
  };
}
