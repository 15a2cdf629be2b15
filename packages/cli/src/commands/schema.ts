/**
 * `xcore schema [-o file] [--markdown]`: the JSON Schema of `xcore.yaml`, generated from the zod
 * schemas, or the config reference table the README embeds.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { configJsonSchema } from '@xcore/core';
import { configReferenceMarkdown } from '../config-reference.js';
import type { CliIo } from '../cli.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { builtinServices } from '../services.js';

/** Runs `xcore schema`. */
export async function schemaCommand(options: { output: string | undefined; markdown?: boolean; io: CliIo }): Promise<ExitCodeValue> {
  const schema = configJsonSchema(builtinServices);
  const text = options.markdown === true ? configReferenceMarkdown(schema) : `${JSON.stringify(schema, null, 2)}\n`;
  if (options.output === undefined) {
    options.io.stdout(text);
  } else {
    const target = resolve(options.io.cwd, options.output);
    await writeFile(target, text);
    options.io.stdout(`wrote ${target}\n`);
  }
  return ExitCode.Ok;
}
