/**
 * Global jobs declared under `services.scheduler.jobs` in `xcore.yaml`: resolving each `func`
 * to a function and turning the entry into `addJob` options.
 *
 * @remarks
 * `func` is `"./path/module.ts:exportName"` (relative to the config file; TypeScript loads through
 * tsx's `tsImport`, no build step) or `"package:exportName"` (resolved from the config file's
 * folder). Every failure is a boot error that names the file, line and column of the entry and
 * the job id: `XCORE_ERR_JOB_FUNC_INVALID` for the function, and the trigger's own code
 * (`XCORE_ERR_CRON_INVALID`, `XCORE_ERR_TIMEZONE_INVALID`, `XCORE_ERR_JOB_INVALID`) with the
 * position prefixed to its message.
 */
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LoadedConfig } from '@xcore/core';
import { tsImport } from 'tsx/esm/api';
import { JobFuncInvalidError } from '../errors.js';
import type { AddJobOptions, TriggerInput } from '../service/job-options.js';
import type { JobFunction } from '../service/scheduler-service.js';
import type { JobConfig } from './scheduler-config.js';

/** A YAML job ready for `addJob`. */
export interface ResolvedYamlJob {
  readonly fn: JobFunction;
  readonly options: AddJobOptions;
  /** `file:line:col` of the entry's trigger, for messages about it. */
  readonly where: string;
}

/** Where the config came from, to resolve paths and point errors at lines. */
export interface YamlJobSource {
  /** Absolute path of the config file (empty when built in code: paths resolve from `cwd`). */
  readonly configFile: string;
  readonly loaded?: LoadedConfig;
  /** Key path of the jobs list. @defaultValue `['services', 'scheduler', 'jobs']` */
  readonly path?: readonly (string | number)[];
}

/** `file:line:col` of `path` in the loaded config (or the file alone when unknown). */
export function positionOf(source: YamlJobSource, path: readonly (string | number)[]): string {
  const file = source.loaded?.file ?? (source.configFile || '<config>');
  const pos = source.loaded?.locate(path);
  return pos === undefined ? file : `${file}:${pos.line}:${pos.col}`;
}

const TS_EXTENSIONS = /\.(c|m)?tsx?$/;

async function importModule(specifier: string, baseDir: string): Promise<{ namespace: Record<string, unknown>; resolved: string }> {
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const file = resolve(baseDir, specifier);
    const url = pathToFileURL(file).href;
    const namespace = TS_EXTENSIONS.test(file) ? await tsImport(url, import.meta.url) : await import(url);
    return { namespace: namespace as Record<string, unknown>, resolved: file };
  }
  let target = specifier;
  try {
    target = pathToFileURL(createRequire(resolve(baseDir, 'noop.js')).resolve(specifier)).href;
  } catch {
    // ESM-only packages may not resolve through require; fall back to a bare import.
  }
  return { namespace: (await import(target)) as Record<string, unknown>, resolved: target };
}

/**
 * Imports and checks the function a `func` string names.
 *
 * @throws `XCORE_ERR_JOB_FUNC_INVALID` naming `where` and the job id.
 */
export async function resolveFunc(func: string, jobId: string, source: YamlJobSource, where: string): Promise<JobFunction> {
  const colon = func.lastIndexOf(':');
  const specifier = func.slice(0, colon);
  const exportName = func.slice(colon + 1);
  if (colon <= 0 || exportName === '') {
    throw new JobFuncInvalidError(`${where}: job "${jobId}": func "${func}" must be "./path/module.ts:exportName" or "package:exportName".`);
  }
  const baseDir = source.configFile ? dirname(source.configFile) : process.cwd();
  let loaded: { namespace: Record<string, unknown>; resolved: string };
  try {
    loaded = await importModule(specifier, baseDir);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new JobFuncInvalidError(
      `${where}: job "${jobId}": cannot import "${specifier}" (relative paths resolve from ${baseDir}): ${reason}. Fix the path in func "${func}".`,
      { cause },
    );
  }
  const value = loaded.namespace[exportName];
  if (value === undefined) {
    const available = Object.keys(loaded.namespace).filter((k) => k !== '__esModule');
    throw new JobFuncInvalidError(
      `${where}: job "${jobId}": ${loaded.resolved} has no export "${exportName}" (exports: ${available.join(', ') || 'none'}).`,
    );
  }
  if (typeof value !== 'function') {
    throw new JobFuncInvalidError(`${where}: job "${jobId}": export "${exportName}" of ${loaded.resolved} is a ${typeof value}, not a function.`);
  }
  return value as JobFunction;
}

/** Turns a validated YAML job into `addJob` options (the owner is set by the caller). */
export function yamlJobOptions(job: JobConfig): AddJobOptions {
  const { id, func: _func, trigger, args, ...policy } = job;
  return { id, trigger: trigger as TriggerInput, args, ...policy };
}

/** Resolves every YAML job's function; the first failure throws with its position. */
export async function resolveYamlJobs(jobs: readonly JobConfig[], source: YamlJobSource): Promise<ResolvedYamlJob[]> {
  const base = source.path ?? ['services', 'scheduler', 'jobs'];
  const out: ResolvedYamlJob[] = [];
  for (const [i, job] of jobs.entries()) {
    const where = positionOf(source, [...base, i, 'func']);
    const fn = await resolveFunc(job.func, job.id, source, where);
    // addJob errors after this point are about the trigger (policy fields are schema-checked).
    out.push({ fn, options: yamlJobOptions(job), where: positionOf(source, [...base, i, 'trigger']) });
  }
  return out;
}

/** Prefixes a coded error's message with the YAML position and job id, keeping its class and code. */
export function withPosition(error: unknown, where: string, jobId: string): unknown {
  if (error instanceof Error && !error.message.startsWith(where)) {
    error.message = `${where}: job "${jobId}": ${error.message}`;
  }
  return error;
}
