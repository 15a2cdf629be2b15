/**
 * The catalogue of coded errors thrown by `@xcore/core`.
 *
 * @remarks
 * Every error xcore throws is an {@link XcoreError} subclass with a stable `code`. Messages say
 * what was wrong, where (file, line, key path, plugin or service name) and what to do. Codes are
 * documented in {@link CORE_ERROR_CODES}; a test keeps the classes, codes and docs in sync.
 */

import type { ConfigIssue } from './config/types.js';

/** Options accepted by every {@link XcoreError} constructor. */
export interface XcoreErrorOptions {
  /** The underlying error, kept on `error.cause`. */
  cause?: unknown;
}

/**
 * Base class of every error xcore throws.
 *
 * @remarks
 * Match errors by `code`, not by `instanceof`: a plugin loaded through its own copy of
 * `@xcore/core` throws errors whose classes are distinct objects, while codes are stable.
 */
export class XcoreError extends Error {
  /** Stable machine-readable code, e.g. `XCORE_ERR_CONFIG_INVALID`. */
  readonly code: string;

  constructor(code: string, message: string, options: XcoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** True when `value` is an xcore error, optionally with the given code (works across module copies). */
export function isXcoreError(value: unknown, code?: string): value is XcoreError {
  if (typeof value !== 'object' || value === null) return false;
  const c = (value as { code?: unknown }).code;
  return typeof c === 'string' && c.startsWith('XCORE_ERR_') && (code === undefined || c === code);
}

/**
 * Documentation of every code thrown by `@xcore/core`: code, then what it means and what to do.
 *
 * @remarks
 * Kept beside the classes so `errors.test.ts` can check each class's code is listed here once.
 */
export const CORE_ERROR_CODES: Readonly<Record<string, string>> = {
  // Filled in as classes are added below; the test fails when one is missing.
  // Config (config/)
  XCORE_ERR_CONFIG_INVALID:
    'The config file has problems (YAML syntax, unset ${VAR}, unknown key, wrong type or value). The message lists each at file:line:col with its key path; fix them and run `xcore validate`.',
  XCORE_ERR_CONFIG_NOT_FOUND:
    'The config file does not exist. Create xcore.yaml in the working directory or pass another file with `-c <file>`.',
  XCORE_ERR_APP_INVALID:
    'The app has several problems that stop boot (config sections, plugins, YAML jobs). The message lists each at file:line:col; `xcore validate` prints the same list without starting anything.',
  // Service container (services/)
  XCORE_ERR_SERVICE_UNKNOWN:
    'getService() was asked for a name no service registered. The message lists the registered names; fix the name or enable the service under `services:`.',
  XCORE_ERR_SERVICE_DUPLICATE: 'Two services registered the same name. Each service name must be unique; remove one of the definitions.',
  XCORE_ERR_SERVICE_INVALID: 'A service definition is malformed (missing name, configSchema or create). Build it with defineService().',
  XCORE_ERR_SERVICE_FAILED: 'A service threw while being created or started. Boot stops; the cause says why.',
  // Plugins (plugins/)
  XCORE_ERR_PLUGIN_MANIFEST_INVALID:
    'A plugin folder\'s package.json (its "xcore" field) is malformed. The message names the file and the field; fix it.',
  XCORE_ERR_PLUGIN_DUPLICATE: 'Two plugin folders declare the same plugin name. Rename one or remove it.',
  XCORE_ERR_PLUGIN_NOT_FOUND:
    'plugins.enabled or plugins.sandboxed names a plugin that is not in plugins.directory (a misspelt plugins.sandboxed entry would otherwise run the plugin unsandboxed). Fix the name or add the plugin folder.',
  XCORE_ERR_PLUGIN_CONFIG_ORPHAN:
    'plugins.config has a section for a plugin that is not installed or not enabled. Remove the section or enable the plugin.',
  XCORE_ERR_PLUGIN_DEFINITION_INVALID:
    'A plugin entry does not export a valid definePlugin({...}) object (unknown hook, hook that is not a function, bad actions).',
  XCORE_ERR_PLUGIN_IMPORT_FAILED: 'A plugin entry module could not be imported (syntax error, missing file, failing import).',
  XCORE_ERR_PLUGIN_DEPENDENCY_MISSING: 'A plugin depends on a plugin that is not installed or not enabled. Install or enable it.',
  XCORE_ERR_PLUGIN_DEPENDENCY_VERSION:
    'A plugin depends on a version range its dependency does not satisfy. Update one of the two plugins or the range.',
  XCORE_ERR_PLUGIN_DEPENDENCY_CYCLE: 'Plugins depend on each other in a cycle (named in the message). Break the cycle.',
  XCORE_ERR_PLUGIN_DEPENDENCY_FAILED: 'A plugin was skipped because a plugin it depends on was skipped or failed.',
  XCORE_ERR_PLUGIN_HOOK_TIMEOUT:
    'A plugin hook (onLoad, onStart, onStop) did not settle within plugins.hookTimeoutMs. Make the hook faster or raise the timeout.',
  XCORE_ERR_PLUGIN_HOOK_FAILED: 'A plugin hook threw or rejected; the plugin is marked failed. The cause is the plugin\'s error.',
  XCORE_ERR_PLUGIN_START_FAILED: 'With plugins.failFast, a plugin failed to start and boot was aborted after stopping what had started.',
  XCORE_ERR_PLUGIN_UNKNOWN: 'call() named a plugin that is not installed. The message lists the known plugins.',
  XCORE_ERR_PLUGIN_ACTION_UNKNOWN:
    'call() named an action the target plugin does not declare in `actions`, or the target has no `handle`.',
  XCORE_ERR_PLUGIN_NOT_STARTED: 'call() targeted a plugin that is not started (failed, disabled or stopped). Check kernel.plugins().',
  XCORE_ERR_PLUGIN_CALL_TIMEOUT: 'The target plugin\'s handle() did not answer within the call timeout. Raise timeoutMs or make it faster.',
  XCORE_ERR_PLUGIN_CONTEXT_CLOSED:
    'A plugin used getService() or call() after it stopped. Stop work in onStop; do not keep using the context afterwards.',
  XCORE_ERR_BOOT_ABORTED:
    'A stop was requested (a signal) while the kernel was booting: boot stopped at the next step. Call kernel.stop() to stop what had started.',
  XCORE_ERR_KERNEL_STATE: 'A kernel method was called in the wrong state (start() twice). Create a new kernel to boot again.',
  XCORE_ERR_PLUGIN_RELOAD_REFUSED:
    'reload() was refused: the plugin is unknown, disabled, or has started dependents (stop them first).',
  XCORE_ERR_PLUGIN_RELOAD_FAILED:
    'A reload stopped the plugin and ran its new code, which failed (import, config, onLoad or onStart). The plugin is failed now; the cause says why. Fix it and reload again.',
  // Sandboxed plugins (sandbox/)
  XCORE_ERR_SANDBOX_SYMLINK:
    'A sandboxed plugin\'s folder contains a symbolic link (outside node_modules, or in node_modules leading somewhere that is not one of its dependencies). Node\'s permission model follows links, so the host refuses the folder. Replace the link with the file or folder it points at.',
  XCORE_ERR_SANDBOX_NOT_GRANTED:
    'A sandboxed plugin called a service method that is not in its grant table (or a service that is not offered to sandboxes). The message lists what is granted; do the work through a granted method or run the plugin in-process.',
  XCORE_ERR_SANDBOX_CALL_INVALID:
    'A sandboxed plugin called a granted method with arguments of the wrong shape. The message names the method and the argument; fix the call.',
  XCORE_ERR_SANDBOX_START_FAILED:
    'The host could not start a sandboxed plugin\'s process: its entry did not bundle, the process did not answer, or this Node.js has no permission model. The message says which.',
  XCORE_ERR_SANDBOX_CRASHED:
    'A sandboxed plugin\'s process exited while the plugin was running (a crash, process.exit, the heap cap or the RSS watchdog). Calls and job runs in flight failed with this error; the host restarts the process with backoff.',
  XCORE_ERR_SANDBOX_CRASH_LOOP:
    'A sandboxed plugin\'s process crashed too often (plugins.sandbox.maxCrashes within plugins.sandbox.crashWindowMs), so the host stopped restarting it and marked it failed. Fix the crash (the message quotes the last exit) and reload the plugin.',
  XCORE_ERR_SANDBOX_CONFIG_INVALID:
    'A sandboxed plugin\'s config section did not pass its configSchema, which is checked inside the sandbox. The message lists each problem by key path under plugins.config.<name>.',
  // Health (health/)
  XCORE_ERR_HEALTH_CHECK_INVALID:
    'A health check given to getService(\'health\').register() is malformed (name, level or check function) or its name is taken. The message names the check and the field.',
};

// ---------------------------------------------------------------------------------------------
// Config errors (config/)
// ---------------------------------------------------------------------------------------------

/**
 * A config file is invalid: it holds every problem found, each at `file:line:col`.
 *
 * @remarks
 * Thrown by `loadConfig`, `parseConfigText` and `validateSection`. The message lists one issue
 * per line as `file:line:col  path: expected X, found Y`; `issues` holds them as data.
 */
export class ConfigInvalidError extends XcoreError {
  /** Every problem found, ordered by position. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options: XcoreErrorOptions = {}) {
    const files = [...new Set(issues.map((issue) => issue.file))];
    const head = `Invalid config${files.length === 1 ? ` ${files[0]}` : ''}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`;
    const lines = issues.map((issue) => `  ${issue.file}:${issue.line}:${issue.col}  ${issue.message}`);
    super('XCORE_ERR_CONFIG_INVALID', [`${head}:`, ...lines, 'Fix them and check the file with `xcore validate`.'].join('\n'), options);
    this.issues = Object.freeze([...issues]);
  }
}

/** The config file does not exist (or is not a file). */
export class ConfigNotFoundError extends XcoreError {
  /** Absolute path that was looked up. */
  readonly path: string;

  constructor(path: string, options: XcoreErrorOptions = {}) {
    super(
      'XCORE_ERR_CONFIG_NOT_FOUND',
      `Config file not found: ${path}. Create it (see the config reference in the README), or pass another file with \`xcore start -c <file>\`.`,
      options,
    );
    this.path = path;
  }
}

/** One problem `checkApp` found, positioned at `file:line:col` (see `AppInvalidError`). */
export interface AppProblemLike {
  /** `file:line:col` (or the file alone when nothing better is known). */
  readonly at: string;
  /** The problem without its position. */
  readonly message: string;
}

/**
 * Several problems that stop boot, found before any plugin hook ran (one alone is thrown as its
 * own coded error).
 */
export class AppInvalidError extends XcoreError {
  /** Every problem, in the order they were found. */
  readonly problems: readonly AppProblemLike[];

  constructor(problems: readonly AppProblemLike[], options: XcoreErrorOptions = {}) {
    const lines = problems.map((p) => `  ${p.at}  ${p.message}`);
    super('XCORE_ERR_APP_INVALID', [`The app cannot start: ${problems.length} problems:`, ...lines, 'Fix them and check with `xcore validate`.'].join('\n'), options);
    this.problems = Object.freeze([...problems]);
  }
}

// ---------------------------------------------------------------------------------------------
// Service container errors (services/)
// ---------------------------------------------------------------------------------------------

/** `getService(name)` named a service that is not registered. */
export class ServiceUnknownError extends XcoreError {
  /** The names that are registered, sorted. */
  readonly registered: readonly string[];

  constructor(name: string, registered: readonly string[], where?: string) {
    const list = registered.length > 0 ? registered.join(', ') : '(none)';
    super(
      'XCORE_ERR_SERVICE_UNKNOWN',
      `Unknown service "${name}"${where ? ` requested by ${where}` : ''}. Registered services: ${list}. ` +
        'Fix the name, or enable the service under `services:` in xcore.yaml' +
        (where?.startsWith('plugin ') === true ? ', or, if the plugin can run without it, declare it in optionalServices and ask with getService(name, { optional: true }).' : '.'),
    );
    this.registered = registered;
  }
}

/** Two services registered the same name. */
export class ServiceDuplicateError extends XcoreError {
  constructor(name: string) {
    super('XCORE_ERR_SERVICE_DUPLICATE', `Service "${name}" is registered twice. Each service name must be unique; remove one definition.`);
  }
}

/** A service definition is malformed. */
export class ServiceInvalidError extends XcoreError {
  constructor(name: string, problem: string) {
    super('XCORE_ERR_SERVICE_INVALID', `Service definition "${name}" is invalid: ${problem}. Build it with defineService({ name, configSchema, create }).`);
  }
}

/** A service threw while being created or started. */
export class ServiceFailedError extends XcoreError {
  constructor(name: string, phase: 'create' | 'start', cause: unknown) {
    super(
      'XCORE_ERR_SERVICE_FAILED',
      `Service "${name}" failed in ${phase}: ${cause instanceof Error ? cause.message : String(cause)}. Boot was stopped; fix the cause above.`,
      { cause },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Plugin errors (plugins/)
// ---------------------------------------------------------------------------------------------

/** A plugin folder's manifest (`package.json` and its `"xcore"` field) is malformed. */
export class PluginManifestInvalidError extends XcoreError {
  constructor(file: string, problem: string, options: XcoreErrorOptions = {}) {
    super('XCORE_ERR_PLUGIN_MANIFEST_INVALID', `Invalid plugin manifest ${file}: ${problem}.`, options);
  }
}

/** Two plugin folders declare the same plugin name. */
export class PluginDuplicateError extends XcoreError {
  constructor(name: string, first: string, second: string) {
    super('XCORE_ERR_PLUGIN_DUPLICATE', `Plugin "${name}" is declared twice: in ${first} and in ${second}. Rename or remove one.`);
  }
}

/** `plugins.enabled` names a plugin that was not found. */
export class PluginNotFoundError extends XcoreError {
  /** @param list - The config key that names the plugin: `plugins.enabled` (default) or `plugins.sandboxed`. */
  constructor(name: string, directory: string, found: readonly string[], where?: string, list: 'plugins.enabled' | 'plugins.sandboxed' = 'plugins.enabled') {
    super(
      'XCORE_ERR_PLUGIN_NOT_FOUND',
      `Plugin "${name}" is ${list === 'plugins.enabled' ? 'enabled' : 'listed in plugins.sandboxed'}${where ? ` at ${where}` : ''} but no folder in ${directory} declares it. ` +
        `Found: ${found.length > 0 ? found.join(', ') : '(none)'}. Fix the name in ${list} or add the plugin folder.`,
    );
  }
}

/** `plugins.config` holds a section for a plugin that is not installed or enabled. */
export class PluginConfigOrphanError extends XcoreError {
  constructor(name: string, where: string, known: readonly string[]) {
    super(
      'XCORE_ERR_PLUGIN_CONFIG_ORPHAN',
      `${where}: plugins.config.${name} configures a plugin that is not installed or not enabled. ` +
        `Enabled plugins: ${known.length > 0 ? known.join(', ') : '(none)'}. Remove the section or enable the plugin.`,
    );
  }
}

/** A plugin entry does not export a valid plugin definition. */
export class PluginDefinitionInvalidError extends XcoreError {
  constructor(where: string, problem: string) {
    super('XCORE_ERR_PLUGIN_DEFINITION_INVALID', `Invalid plugin definition (${where}): ${problem}. Export definePlugin({ onStart, ... }) as default.`);
  }
}

/** A plugin entry module could not be imported. */
export class PluginImportFailedError extends XcoreError {
  constructor(plugin: string, file: string, cause: unknown) {
    super('XCORE_ERR_PLUGIN_IMPORT_FAILED', `Plugin "${plugin}": importing ${file} failed: ${importFailure(cause)}`, { cause });
  }
}

/** What went wrong importing a plugin module and what to do, from the import's error. */
function importFailure(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  const missingPackage = code === 'ERR_MODULE_NOT_FOUND' ? /Cannot find package '([^']+)'/.exec(message)?.[1] : undefined;
  if (missingPackage !== undefined) {
    return `the package "${missingPackage}" is not installed where the plugin can see it. Declare it in the plugin's package.json ` +
      '"dependencies" and run `pnpm install` (or your package manager\'s install) at the workspace root, then start again.';
  }
  if (code === 'ERR_MODULE_NOT_FOUND') return `${message}. Check the import path (relative imports need the file's extension, e.g. "./util.js").`;
  return `${message}. Fix the module.`;
}

/** A plugin depends on a plugin that is not installed or enabled. */
export class PluginDependencyMissingError extends XcoreError {
  /** The dependency that is missing. */
  readonly dependency: string;

  constructor(plugin: string, dependency: string) {
    super(
      'XCORE_ERR_PLUGIN_DEPENDENCY_MISSING',
      `Plugin "${plugin}" depends on "${dependency}", which is not installed or not enabled. Install/enable "${dependency}" or remove the dependency.`,
    );
    this.dependency = dependency;
  }
}

/** A dependency's version is outside the range a plugin asks for. */
export class PluginDependencyVersionError extends XcoreError {
  /** The dependency whose version is out of range. */
  readonly dependency: string;

  constructor(plugin: string, dependency: string, range: string, version: string) {
    super(
      'XCORE_ERR_PLUGIN_DEPENDENCY_VERSION',
      `Plugin "${plugin}" needs "${dependency}" ${range}, but ${dependency} is version ${version}. Update one of the plugins or the range.`,
    );
    this.dependency = dependency;
  }
}

/** Plugins depend on each other in a cycle. */
export class PluginDependencyCycleError extends XcoreError {
  /** The cycle, first name repeated at the end (`['a', 'b', 'a']`). */
  readonly cycle: readonly string[];

  constructor(cycle: readonly string[]) {
    super('XCORE_ERR_PLUGIN_DEPENDENCY_CYCLE', `Plugin dependency cycle: ${cycle.join(' -> ')}. Remove one of these dependencies to break it.`);
    this.cycle = cycle;
  }
}

/** A plugin was skipped because a plugin it depends on is disabled or failed. */
export class PluginDependencyFailedError extends XcoreError {
  /** The dependency that was skipped or failed. */
  readonly dependency: string;

  constructor(plugin: string, dependency: string) {
    super(
      'XCORE_ERR_PLUGIN_DEPENDENCY_FAILED',
      `Plugin "${plugin}" was skipped because its dependency "${dependency}" was skipped or failed. Fix "${dependency}" first.`,
    );
    this.dependency = dependency;
  }
}

/** A plugin hook did not settle in time. */
export class PluginHookTimeoutError extends XcoreError {
  constructor(plugin: string, hook: string, timeoutMs: number) {
    super(
      'XCORE_ERR_PLUGIN_HOOK_TIMEOUT',
      `Plugin "${plugin}": ${hook} did not finish within ${timeoutMs} ms. Make it faster (start long work in the background) or raise plugins.hookTimeoutMs.`,
    );
  }
}

/** `text` ending with one full stop: a cause's own `.`, `!` or `?` is kept, not doubled. */
function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** A plugin hook threw or rejected. */
export class PluginHookFailedError extends XcoreError {
  constructor(plugin: string, hook: string, cause: unknown) {
    super(
      'XCORE_ERR_PLUGIN_HOOK_FAILED',
      `Plugin "${plugin}": ${hook} failed: ${sentence(cause instanceof Error ? cause.message : String(cause))}`,
      { cause },
    );
  }
}

/** With `plugins.failFast`, a plugin failed and boot was aborted. */
export class PluginStartFailedError extends XcoreError {
  constructor(plugin: string, cause: unknown) {
    super(
      'XCORE_ERR_PLUGIN_START_FAILED',
      `Boot aborted (plugins.failFast): plugin "${plugin}" failed to start: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'What had started was stopped. Fix the plugin, or set plugins.failFast: false to run without it.',
      { cause },
    );
  }
}

/** `call()` named a plugin that is not installed. */
export class PluginUnknownError extends XcoreError {
  constructor(name: string, known: readonly string[], caller?: string) {
    super(
      'XCORE_ERR_PLUGIN_UNKNOWN',
      `${caller ? `Plugin "${caller}" called unknown plugin` : 'Unknown plugin'} "${name}". Known plugins: ${known.length > 0 ? known.join(', ') : '(none)'}.`,
    );
  }
}

/** `call()` named an action the target does not support. */
export class PluginActionUnknownError extends XcoreError {
  constructor(plugin: string, action: string, actions: readonly string[] | undefined) {
    super(
      'XCORE_ERR_PLUGIN_ACTION_UNKNOWN',
      actions === undefined
        ? `Plugin "${plugin}" has no handle(), so it cannot answer action "${action}".`
        : `Plugin "${plugin}" has no action "${action}". Its actions: ${actions.length > 0 ? actions.join(', ') : '(none)'}.`,
    );
  }
}

/** `call()` targeted a plugin that is not started. */
export class PluginNotStartedError extends XcoreError {
  constructor(plugin: string, state: string) {
    super('XCORE_ERR_PLUGIN_NOT_STARTED', `Plugin "${plugin}" is ${state}, not started, so it cannot answer calls. See kernel.plugins() for why.`);
  }
}

/** The target of `call()` did not answer in time. */
export class PluginCallTimeoutError extends XcoreError {
  constructor(plugin: string, action: string, timeoutMs: number) {
    super(
      'XCORE_ERR_PLUGIN_CALL_TIMEOUT',
      `Call to plugin "${plugin}" action "${action}" did not answer within ${timeoutMs} ms. Raise timeoutMs or make the handler faster.`,
    );
  }
}

/** A plugin used its context after it stopped. */
export class PluginContextClosedError extends XcoreError {
  constructor(plugin: string, what: string) {
    super(
      'XCORE_ERR_PLUGIN_CONTEXT_CLOSED',
      `Plugin "${plugin}" used ${what} after it stopped. Stop timers and work in onStop; do not use the context afterwards.`,
    );
  }
}

/** A kernel method was called in a state that does not allow it. */
export class KernelStateError extends XcoreError {
  constructor(problem: string) {
    super('XCORE_ERR_KERNEL_STATE', `${problem}. Create a new kernel with createKernel() to boot again.`);
  }
}

/** Boot was interrupted by a stop request (`start({ signal })` aborted). */
export class BootAbortedError extends XcoreError {
  constructor(step: string) {
    super('XCORE_ERR_BOOT_ABORTED', `Boot was interrupted by a stop request while ${step}. Call kernel.stop() to stop what had started.`);
  }
}

/** `reload()` was refused. */
export class PluginReloadRefusedError extends XcoreError {
  constructor(plugin: string, reason: string) {
    super('XCORE_ERR_PLUGIN_RELOAD_REFUSED', `Cannot reload plugin "${plugin}": ${reason}.`);
  }
}

/** A reload ran the plugin's new code, which failed: the plugin is `failed` now. */
export class PluginReloadFailedError extends XcoreError {
  constructor(plugin: string, cause: unknown) {
    super(
      'XCORE_ERR_PLUGIN_RELOAD_FAILED',
      `Plugin "${plugin}" was stopped and reloaded, but its new code failed: ${cause instanceof Error ? cause.message : String(cause)} ` +
        'It is failed now (its jobs and routes are detached). Fix it and reload again.',
      { cause },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Sandboxed plugins (sandbox/)
// ---------------------------------------------------------------------------------------------

/** A sandboxed plugin's folder contains a symbolic link the host refuses. */
export class SandboxSymlinkError extends XcoreError {
  /** The link's path. */
  readonly link: string;

  constructor(plugin: string, link: string, target: string, why: string) {
    super(
      'XCORE_ERR_SANDBOX_SYMLINK',
      `Sandboxed plugin "${plugin}": ${link} is a symbolic link to ${target} (${why}). Node's permission model follows links, so the folder is refused; ` +
        'replace the link with the file or folder it points at.',
    );
    this.link = link;
  }
}

/** A sandboxed plugin asked for a method or service outside its grant table. */
export class SandboxNotGrantedError extends XcoreError {
  constructor(plugin: string, what: string, granted: readonly string[]) {
    super(
      'XCORE_ERR_SANDBOX_NOT_GRANTED',
      `Sandboxed plugin "${plugin}" is not granted ${what}. Granted: ${granted.length === 0 ? 'nothing' : granted.join(', ')}. ` +
        'Use a granted method, or run the plugin in-process (remove "sandbox" from its manifest and plugins.sandboxed).',
    );
  }
}

/** A sandboxed plugin called a granted method with arguments of the wrong shape. */
export class SandboxCallInvalidError extends XcoreError {
  constructor(plugin: string, method: string, problem: string) {
    super('XCORE_ERR_SANDBOX_CALL_INVALID', `Sandboxed plugin "${plugin}" called ${method} with invalid arguments: ${problem}. Fix the call.`);
  }
}

/** The host could not start a sandboxed plugin's process. */
export class SandboxStartFailedError extends XcoreError {
  constructor(plugin: string, reason: string, options: XcoreErrorOptions = {}) {
    super('XCORE_ERR_SANDBOX_START_FAILED', `Could not start the sandbox of plugin "${plugin}": ${reason}.`, options);
  }
}

/** A sandboxed plugin's process exited while the plugin was running. */
export class SandboxCrashedError extends XcoreError {
  /** Why it ended: `exit` (a crash or `process.exit`), `heap` (the heap cap), `rss` (the RSS watchdog). */
  readonly reason: 'exit' | 'heap' | 'rss';

  constructor(plugin: string, reason: 'exit' | 'heap' | 'rss', exit: string, detail: string) {
    const what = reason === 'heap' ? 'ran out of heap (plugins.sandbox.maxOldSpaceMb)' : reason === 'rss' ? 'passed plugins.sandbox.maxRssMb and was killed by the RSS watchdog' : 'exited';
    super(
      'XCORE_ERR_SANDBOX_CRASHED',
      `The sandbox process of plugin "${plugin}" ${what} (${exit})${detail === '' ? '' : `: ${detail}`}. Work in flight failed; the host restarts it with backoff.`,
    );
    this.reason = reason;
  }
}

/** A sandboxed plugin crashed too often; the host stopped restarting it. */
export class SandboxCrashLoopError extends XcoreError {
  constructor(plugin: string, crashes: number, windowMs: number, last: Error) {
    super(
      'XCORE_ERR_SANDBOX_CRASH_LOOP',
      `Sandboxed plugin "${plugin}" crashed ${crashes} times within ${windowMs} ms, so it is no longer restarted and is failed. Last crash: ${last.message} ` +
        'Fix it and reload the plugin.',
      { cause: last },
    );
  }
}

/** A sandboxed plugin's config section did not pass its `configSchema` (checked in the sandbox). */
export class SandboxConfigInvalidError extends XcoreError {
  constructor(plugin: string, problems: readonly string[]) {
    super(
      'XCORE_ERR_SANDBOX_CONFIG_INVALID',
      `Invalid config for sandboxed plugin "${plugin}" (checked by its configSchema in the sandbox): ${problems.join('; ')}. Fix plugins.config.${plugin} in the config file.`,
    );
  }
}

/** A health check could not be registered: malformed, or its name is taken. */
export class HealthCheckInvalidError extends XcoreError {
  constructor(check: string, problem: string) {
    super('XCORE_ERR_HEALTH_CHECK_INVALID', `Health check "${check}" cannot be registered: ${problem}.`);
  }
}
