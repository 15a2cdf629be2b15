/**
 * The JSON Schema of `xcore.yaml`, generated from the zod schemas, for editors and `xcore schema`.
 */
import { z } from 'zod';
import { configSchema, type ServiceConfigSource } from './schema.js';

/**
 * JSON Schema (draft 2020-12) of a whole `xcore.yaml` for the given service packages.
 *
 * @remarks
 * Generated from the input side of the zod schemas, so durations are `number | string` and
 * defaulted keys are optional. Constructs JSON Schema cannot express (refinements, transforms)
 * accept anything; the loader still checks them. `logging.pretty` shows no default because it
 * depends on the terminal.
 *
 * @example
 * ```ts
 * writeFileSync('xcore.schema.json', JSON.stringify(configJsonSchema([schedulerService]), null, 2));
 * ```
 */
export function configJsonSchema(services: readonly ServiceConfigSource[]): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema(services), { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  const logging = properties?.logging?.properties as Record<string, Record<string, unknown>> | undefined;
  if (logging?.pretty !== undefined) delete logging.pretty.default;
  return {
    $schema: schema.$schema,
    $id: 'https://xcore.dev/xcore.schema.json',
    title: 'xcore.yaml',
    description: 'Configuration of an xcore application.',
    ...schema,
  };
}
