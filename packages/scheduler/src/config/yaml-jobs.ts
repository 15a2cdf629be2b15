/**
 * Global jobs declared under `services.scheduler.jobs` in `xcore.yaml`: resolving each `func`
 * to a function and turning the entry into `addJob` options.
 *
 * @remarks
 * `func` is `"./path/module.ts:exportName"` (relative to the config file; TypeScript loads through
 * one tsx loader scope, no build step, and each module is imported once however many jobs name
 * it, so they share its state) or `"package:exportName"` (resolved from the config file's
 * folder). Every failure is a boot error that names the file, line and column of the entry and
 * the job id: `XCORE_ERR_JOB_FUNC_INVALID` for the function, and the trigger's own code
 * (`XCORE_ERR_CRON_INVALID`, `XCORE_ERR_TIMEZONE_INVALID`, `XCORE_ERR_JOB_INVALID`) with the
 * position prefixed to its message.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { abortable, createTsModuleScope, type LoadedConfig, type TsModuleScope } from '@xcore/core';
import { JobFuncInvalidError } from '../errors.js';
import { resolveModuleUrl } from '../executors/module-target.js';
import type { AddJobOptions, TriggerInput } from '../service/job-options.js';
import type { JobFunction } from '../service/scheduler-service.js';
import type { JobConfig } from './scheduler-config.js';

/** A YAML job ready for `addJob`. */
export interface ResolvedYamlJob {
  /** The function of an inline job; `undefined` for a `thread`/`process` job (its options name the module). */
  readonly fn: JobFunction | undefined;
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
  /** Aborts resolving (a stop requested during boot): pending imports reject with its reason. */
  readonly signal?: AbortSignal;
}

/** `file:line:col` of `path` in the loaded config (or the file alone when unknown). */
export function positionOf(source: YamlJobSource, path: readonly (string | number)[]): string {
  const file = source.loaded?.file ?? (source.configFile || '<config>');
  const pos = source.loaded?.locate(path);
  return pos === undefined ? file : `${file}:${pos.line}:${pos.col}`;
}

/** A module a `func` names, imported once however many jobs name it. */
interface ImportedModule {
  readonly namespace: Record<string, unknown>;
  /** The file or URL it resolved to, for messages. */
  readonly resolved: string;
}

/**
 * Imports the modules YAML jobs name, each once: one tsx loader scope for all of them (so
 * TypeScript loads without a build step and modules they share are one instance), and one
 * import per specifier however many jobs name it.
 *
 * @remarks
 * tsx's `tsImport` registers a new loader scope on every call: each job's module was evaluated
 * again, jobs naming one file did not share its state, and every import went through every
 * scope registered before it (boot grew quadratically: 1,000 jobs took over a minute).
 */
export interface JobModuleLoader {
  /** The module `specifier` names (relative paths resolve from `baseDir`); rejects when it cannot be imported. */
  load(specifier: string): Promise<ImportedModule>;
}

/** Creates a {@link JobModuleLoader} resolving relative paths from `baseDir`. */
export function createJobModuleLoader(baseDir: string): JobModuleLoader {
  let scope: TsModuleScope | undefined;
  const modules = new Map<string, Promise<ImportedModule>>();
  const importFile = async (file: string): Promise<ImportedModule> => {
    scope ??= createTsModuleScope(`xcore-yaml-jobs-${randomUUID()}`);
    const namespace = await scope.import(pathToFileURL(file).href, import.meta.url);
    return { namespace, resolved: file };
  };
  const importPackage = async (specifier: string): Promise<ImportedModule> => {
    let target = specifier;
    try {
      target = pathToFileURL(createRequire(resolve(baseDir, 'noop.js')).resolve(specifier)).href;
    } catch {
      // ESM-only packages may not resolve through require; fall back to a bare import.
    }
    return { namespace: (await import(target)) as Record<string, unknown>, resolved: target };
  };
  return {
    load(specifier) {
      const relative = isPathSpecifier(specifier);
      const key = relative ? resolve(baseDir, specifier) : specifier;
      let loading = modules.get(key);
      if (loading === undefined) {
        loading = relative ? importFile(key) : importPackage(specifier);
        modules.set(key, loading);
      }
      return loading;
    },
  };
}

/** The specifier and export name of a `func` string, or `undefined` when it has no `:export`. */
function splitFunc(func: string): { specifier: string; exportName: string } | undefined {
  const colon = func.lastIndexOf(':');
  const exportName = func.slice(colon + 1);
  if (colon <= 0 || exportName === '') return undefined;
  return { specifier: func.slice(0, colon), exportName };
}

/**
 * The file a YAML job's `func` imports when it names a path (`./jobs/report.ts:run`, resolved from
 * `baseDir`) or a `file:` URL; `undefined` when it names a package (`@acme/jobs:run`, `lodash:noop`) or has no
 * `:export`.
 *
 * @remarks
 * `xcore dev` watches these files. A package is not: Node.js imports it once per process, so a
 * restart in the same process would not load its new code.
 *
 * @example
 * ```ts
 * yamlJobModuleFile('./jobs/report.ts:run', '/app'); // '/app/jobs/report.ts'
 * yamlJobModuleFile('@acme/jobs:run', '/app'); // undefined
 * ```
 */
export function yamlJobModuleFile(func: string, baseDir: string): string | undefined {
  const parts = splitFunc(func);
  if (parts === undefined) return undefined;
  if (parts.specifier.startsWith('file:')) {
    try {
      return fileURLToPath(parts.specifier);
    } catch {
      return undefined;
    }
  }
  return isPathSpecifier(parts.specifier) ? resolve(baseDir, parts.specifier) : undefined;
}

/** Whether a `func` specifier names a file (relative or absolute) rather than a package. */
function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith('.') || isAbsolute(specifier);
}

/**
 * Why a job's module or export cannot run: the module does not import (`reason` is the first line
 * of its error), or its export is missing or not a function (`message` names the module).
 */
export type JobExportProblem =
  | { readonly kind: 'import'; readonly reason: string; readonly cause: unknown }
  | { readonly kind: 'export'; readonly message: string };

/**
 * Imports `specifier` through `loader` and checks its export `exportName` is a function: the
 * function, or what is wrong for the caller's coded error.
 *
 * @remarks
 * An abort of `signal` rejects with its reason, also while the module is still being imported.
 */
export async function importJobExport(specifier: string, exportName: string, loader: JobModuleLoader, signal?: AbortSignal): Promise<JobFunction | JobExportProblem> {
  let loaded: ImportedModule;
  try {
    loaded = await abortable(loader.load(specifier), signal);
  } catch (cause) {
    if (signal?.aborted === true && cause === signal.reason) throw cause;
    return { kind: 'import', reason: firstLines(cause instanceof Error ? cause.message : String(cause)), cause };
  }
  const value = loaded.namespace[exportName];
  if (value === undefined) {
    const available = Object.keys(loaded.namespace).filter((k) => k !== '__esModule');
    return { kind: 'export', message: `${loaded.resolved} has no export "${exportName}" (exports: ${available.join(', ') || 'none'})` };
  }
  if (typeof value !== 'function') return { kind: 'export', message: `export "${exportName}" of ${loaded.resolved} is a ${typeof value}, not a function` };
  return value as JobFunction;
}

/**
 * Imports and checks the function a `func` string names.
 *
 * @param modules - Where modules are imported (share one across jobs so each module loads once).
 * @throws `XCORE_ERR_JOB_FUNC_INVALID` naming `where` and the job id.
 */
export async function resolveFunc(func: string, jobId: string, source: YamlJobSource, where: string, modules?: JobModuleLoader): Promise<JobFunction> {
  const parts = splitFunc(func);
  if (parts === undefined) {
    throw new JobFuncInvalidError(`${where}: job "${jobId}": func "${func}" must be "./path/module.ts:exportName" or "package:exportName".`);
  }
  const baseDir = baseDirOf(source);
  const found = await importJobExport(parts.specifier, parts.exportName, modules ?? createJobModuleLoader(baseDir), source.signal);
  if (typeof found === 'function') return found;
  if (found.kind === 'export') throw new JobFuncInvalidError(`${where}: job "${jobId}": ${found.message}.`);
  throw new JobFuncInvalidError(
    `${where}: job "${jobId}": cannot import "${parts.specifier}" (relative paths resolve from ${baseDir}): ${found.reason}. Fix the path in func "${func}".`,
    { cause: found.cause },
  );
}

/** The first line of an error message, and the next one when the first only announces it (esbuild's "Transform failed with 1 error:"). */
function firstLines(message: string): string {
  const [first = '', second] = message.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return first.endsWith(':') && second !== undefined ? `${first} ${second}` : first;
}

function baseDirOf(source: YamlJobSource): string {
  return source.configFile ? dirname(source.configFile) : process.cwd();
}

/** Turns a validated YAML job into `addJob` options (the owner is set by the caller). */
export function yamlJobOptions(job: JobConfig): AddJobOptions {
  const { id, func: _func, trigger, args, executor: _executor, env: _env, ...policy } = job;
  return { id, trigger: trigger as TriggerInput, args, ...policy };
}

/**
 * The `addJob` options of a YAML job that runs off the event loop: its `func` as a module (a
 * `file:` URL resolved from the config file's folder) and export; the module is imported in a
 * worker when the job is added, not in the host.
 *
 * @throws `XCORE_ERR_JOB_FUNC_INVALID` naming `where` and the job id when `func` cannot be resolved.
 */
export function moduleJobOptions(job: JobConfig, executor: 'thread' | 'process', source: YamlJobSource, where: string): AddJobOptions {
  const parts = splitFunc(job.func);
  if (parts === undefined) {
    throw new JobFuncInvalidError(`${where}: job "${job.id}": func "${job.func}" must be "./path/module.ts:exportName" or "package:exportName".`);
  }
  let module: string;
  try {
    module = resolveModuleUrl(parts.specifier, job.id, baseDirOf(source));
  } catch (cause) {
    throw new JobFuncInvalidError(`${where}: job "${job.id}": ${errorMessageOf(cause)} Fix the path in func "${job.func}".`, { cause });
  }
  return { ...yamlJobOptions(job), executor, module, export: parts.exportName, ...(job.env === undefined ? {} : { env: job.env }) };
}

function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message.replace(/ Nothing was stored\.$/, '') : String(error);
}

/**
 * Resolves every YAML job's function, importing each module once; the first failure throws with
 * its position, or with `each`, every failure is handed to it and the jobs that resolved are
 * returned.
 *
 * @remarks
 * With `source.signal`, an abort (a signal during boot) rejects with its reason at once, also
 * while a module is still being imported.
 */
export async function resolveYamlJobs(jobs: readonly JobConfig[], source: YamlJobSource, each?: (error: unknown) => void, defaultExecutor: 'inline' | 'thread' | 'process' = 'inline'): Promise<ResolvedYamlJob[]> {
  const base = source.path ?? ['services', 'scheduler', 'jobs'];
  const modules = createJobModuleLoader(baseDirOf(source));
  const out: ResolvedYamlJob[] = [];
  for (const [i, job] of jobs.entries()) {
    const where = positionOf(source, [...base, i, 'func']);
    const executor = job.executor ?? defaultExecutor;
    let fn: JobFunction | undefined;
    let options: AddJobOptions | undefined;
    try {
      if (executor === 'inline') fn = await resolveFunc(job.func, job.id, source, where, modules);
      // Off the event loop: the module is imported in a worker when the job is added, not here.
      else options = moduleJobOptions(job, executor, source, where);
    } catch (error) {
      if (each === undefined || (source.signal?.aborted === true && error === source.signal.reason)) throw error;
      each(error);
      continue;
    }
    // addJob errors after this point are about the trigger (policy fields are schema-checked).
    out.push({ fn, options: options ?? yamlJobOptions(job), where: positionOf(source, [...base, i, 'trigger']) });
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
