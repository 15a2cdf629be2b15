import { asValue, createContainer as createAwilixContainer, InjectionMode } from 'awilix';
import { ServiceDuplicateError, ServiceUnknownError } from '../errors.js';
import type { ServiceName, XcoreServices } from './service.js';

/**
 * The typed service container: a small API over an awilix container in strict mode.
 *
 * @remarks
 * Services are registered as ready instances (the kernel creates them in order, so each
 * `create` can use the ones before it); lookups are typed through {@link XcoreServices}.
 */
export interface ServiceContainer {
  /** Registers a created service instance. Throws `XCORE_ERR_SERVICE_DUPLICATE` when the name is taken. */
  register<K extends ServiceName>(name: K, instance: XcoreServices[K]): void;
  /**
   * The service registered under `name`.
   * @param where - Who asks (e.g. `plugin "heartbeat"`), quoted in the error.
   * @throws `XCORE_ERR_SERVICE_UNKNOWN` listing the registered names.
   */
  get<K extends ServiceName>(name: K, where?: string): XcoreServices[K];
  /** True when a service is registered under `name`. */
  has(name: string): boolean;
  /** Registered names, sorted. */
  names(): string[];
}

/**
 * Creates an empty {@link ServiceContainer}.
 *
 * @example
 * ```ts
 * const container = createContainer();
 * container.register('logger', logger);
 * container.get('logger').info('ready');
 * ```
 */
export function createContainer(): ServiceContainer {
  const awilix = createAwilixContainer({ strict: true, injectionMode: InjectionMode.PROXY });
  const names = (): string[] => Object.keys(awilix.registrations).sort();
  return {
    register(name, instance) {
      if (awilix.hasRegistration(name)) throw new ServiceDuplicateError(name);
      awilix.register(name, asValue(instance));
    },
    get(name, where) {
      if (!awilix.hasRegistration(name)) throw new ServiceUnknownError(name, names(), where);
      return awilix.resolve(name);
    },
    has: (name) => awilix.hasRegistration(name),
    names,
  };
}
