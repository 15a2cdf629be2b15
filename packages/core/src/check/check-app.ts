/**
 * `checkApp`: every problem `xcore start` would report before running a plugin hook, found
 * without starting anything. `xcore validate` prints them; the kernel runs the same check at the
 * start of boot and refuses (or leaves plugins out) on what it finds, so the two cannot disagree.
 */
import type { LoadedConfig } from '../config/types.js';
import { AppInvalidError, isXcoreError, ServiceFailedError } from '../errors.js';
import type { ServiceDefinition } from '../services/service.js';
import { configPosition, problemsOf, type AppProblem } from './app-problem.js';
import { checkPlugins, type CheckPluginsOptions, type PluginCheck } from './check-plugins.js';
import { serviceSection } from './service-section.js';

/** Options of {@link checkApp}. */
export interface CheckAppOptions {
  /** The service packages the host registers (their sections and `check` hooks). @defaultValue `[]` */
  readonly services?: readonly ServiceDefinition[];
  /** Aborts the check (a stop requested during boot): it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called before each step that can take long, with its name (the kernel's boot checkpoint). */
  readonly step?: (name: string) => void;
  /** Loads a plugin's definition. @defaultValue `loadForCheck(loaded)` (see check-plugins.ts) */
  readonly load?: CheckPluginsOptions['load'];
  /** Called once the enabled plugins are known and ordered, before any import. */
  readonly onPlan?: CheckPluginsOptions['onPlan'];
}

/** What {@link checkApp} found. */
export interface AppCheck {
  /** Every problem, plugins first, then services in registration order. */
  readonly problems: readonly AppProblem[];
  /** The plugins: enabled manifests, dependency order, imported definitions and configs. */
  readonly plugins: PluginCheck;
  /** What each service's `check` prepared for its `create`, by service name. */
  readonly prepared: ReadonlyMap<string, unknown>;
  /** The names of the services that are created (configured and enabled). */
  readonly services: readonly string[];
}

/**
 * Checks an app as boot would, up to (not including) the first plugin hook: plugins are
 * discovered, ordered and imported (their modules' top-level code runs), their config sections
 * validated; each created service's `check` runs (the scheduler imports the modules YAML jobs
 * name and checks each job as `addJob` would). Nothing connects or listens.
 *
 * @remarks
 * A problem's `effect` says what boot does with it: `fatal` ones make it refuse, `plugin` ones
 * leave that plugin out (boot refuses only with `plugins.failFast`). See {@link appCheckError}.
 *
 * @example
 * ```ts
 * const loaded = await loadConfig('xcore.yaml', { services });
 * const { problems } = await checkApp(loaded, { services });
 * for (const p of problems) console.error(`${p.at}  ${p.message}`);
 * ```
 */
export async function checkApp(loaded: LoadedConfig, options: CheckAppOptions = {}): Promise<AppCheck> {
  const plugins = await checkPlugins(loaded, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.step === undefined ? {} : { step: options.step }),
    ...(options.load === undefined ? {} : { load: options.load }),
    ...(options.onPlan === undefined ? {} : { onPlan: options.onPlan }),
  });
  const problems: AppProblem[] = [...plugins.problems];
  const prepared = new Map<string, unknown>();
  const created: string[] = [];
  for (const def of options.services ?? []) {
    options.signal?.throwIfAborted();
    const sectionAt = configPosition(loaded, ['services', def.name]);
    let section;
    try {
      section = serviceSection(loaded, def);
    } catch (error) {
      problems.push(...problemsOf(error, sectionAt, 'fatal'));
      continue;
    }
    if (section.skip !== undefined) continue;
    created.push(def.name);
    if (def.check === undefined) continue;
    options.step?.(`checking service "${def.name}"`);
    try {
      const result = await def.check({
        config: section.config as never,
        configFile: loaded.file === '<inline>' ? '' : loaded.file,
        loaded,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      for (const error of result?.problems ?? []) problems.push(...problemsOf(error, sectionAt, 'fatal'));
      if (result?.prepared !== undefined) prepared.set(def.name, result.prepared);
    } catch (error) {
      if (options.signal?.aborted === true && error === options.signal.reason) throw error;
      problems.push(...problemsOf(isXcoreError(error) ? error : new ServiceFailedError(def.name, 'create', error), sectionAt, 'fatal'));
    }
  }
  return { problems, plugins, prepared, services: created };
}

/**
 * The error boot refuses with for `check`, or `undefined` when it may go on: with one fatal
 * problem, that problem's own coded error; with several, {@link AppInvalidError} listing all.
 * With `failFast`, problems that would leave a plugin out count as fatal.
 */
export function appCheckError(check: AppCheck, failFast: boolean): Error | undefined {
  const fatal = check.problems.filter((p) => p.effect === 'fatal' || failFast);
  if (fatal.length === 0) return undefined;
  const errors = [...new Set(fatal.map((p) => p.error))];
  if (errors.length === 1) return errors[0];
  return new AppInvalidError(fatal.map((p) => ({ at: p.at, message: p.message })));
}
