/**
 * Which services an app creates, and with which section: shared by `checkApp` and the kernel's
 * service host, so a service is checked exactly when it would be created.
 */
import type { LoadedConfig } from '../config/types.js';
import { validateSection } from '../config/validate-section.js';
import type { ServiceDefinition } from '../services/service.js';

/** A service's section, or why the service is not created. */
export type ServiceSection = { readonly skip: 'not configured' | 'disabled'; readonly config?: undefined } | { readonly skip?: undefined; readonly config: unknown };

/**
 * The validated section of `def` in `loaded`, or why it is skipped.
 *
 * @remarks
 * The section is `services.<name>` as the config loader validated it (the loader is given the
 * same services; it is not parsed twice, since a schema with transforms need not accept its own
 * output). Without such a section (the loader was not told about the service), the schema is given
 * `undefined`: a schema with a default yields the defaults, one that refuses `undefined` means
 * the service is not configured. A section with `enabled: false` is `disabled`.
 *
 * @throws `XCORE_ERR_CONFIG_INVALID` when the section is validated here and refused.
 */
export function serviceSection(loaded: LoadedConfig, def: ServiceDefinition): ServiceSection {
  let config: unknown = loaded.config.services[def.name];
  if (config === undefined) {
    if (!def.configSchema.safeParse(undefined).success) return { skip: 'not configured' };
    config = validateSection(loaded, ['services', def.name], def.configSchema);
  }
  if (config !== null && typeof config === 'object' && (config as { enabled?: unknown }).enabled === false) return { skip: 'disabled' };
  return { config };
}
