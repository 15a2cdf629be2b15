/**
 * The kernel's own health checks: `kernel` (readiness: booted, not stopping) and `plugins`
 * (warning: a plugin failed or was skipped), plus the JSON a plugin's state is shown as.
 */
import type { HealthCheck } from '../health/health-types.js';
import type { KernelPhase } from './kernel-phase.js';
import type { PluginStatus } from './kernel-types.js';

/** A plugin's status as JSON: the error reduced to code, name and message. */
export interface PluginStatusJson {
  readonly name: string;
  readonly version: string;
  readonly state: PluginStatus['state'];
  readonly error?: { readonly code?: string; readonly name: string; readonly message: string };
  /** For a `skipped` plugin: the dependency that stopped it. */
  readonly dependency?: string;
}

/** {@link PluginStatus} as JSON, for health reports and logs. */
export function pluginStatusJson(status: PluginStatus): PluginStatusJson {
  const { error, dependency } = status;
  const base = { name: status.name, version: status.version, state: status.state, ...(dependency === undefined ? {} : { dependency }) };
  if (error === undefined) return base;
  const code = (error as { code?: unknown }).code;
  return { ...base, error: { ...(typeof code === 'string' ? { code } : {}), name: error.name, message: error.message } };
}

/** The kernel's checks, reading its phase and plugin statuses on each probe. */
export function kernelHealthChecks(source: { phase: () => KernelPhase; plugins: () => PluginStatus[] }): HealthCheck[] {
  return [
    {
      name: 'kernel',
      level: 'readiness',
      check: () => {
        const phase = source.phase();
        return phase === 'started' ? { healthy: true, data: { phase } } : { healthy: false, detail: `the host is ${phase}, not started`, data: { phase } };
      },
    },
    {
      name: 'plugins',
      level: 'warning',
      check: () => {
        const plugins = source.plugins();
        const broken = plugins.filter((p) => p.state === 'failed' || p.state === 'skipped');
        const data = { plugins: plugins.map(pluginStatusJson) };
        if (broken.length === 0) return { healthy: true, detail: `${plugins.filter((p) => p.state === 'started').length} started`, data };
        const why = (p: PluginStatus): string => (p.state === 'skipped' && p.dependency !== undefined ? `skipped because of "${p.dependency}"` : p.state);
        return { healthy: false, detail: broken.map((p) => `${p.name} ${why(p)}: ${p.error?.message ?? 'no reason recorded'}`).join('; '), data };
      },
    },
  ];
}

/** Every plugin's state in one object, for the boot summary line (`xcore started`). */
export interface PluginSummary {
  /** Names of the started plugins, in start order. */
  readonly started: readonly string[];
  /** Failed plugins with their error's message. */
  readonly failed: readonly { readonly plugin: string; readonly error: string }[];
  /** Skipped plugins with the dependency that stopped them and why. */
  readonly skipped: readonly { readonly plugin: string; readonly dependency: string | null; readonly error: string }[];
  /** Plugin folders that `plugins.enabled` does not name. */
  readonly notEnabled: readonly string[];
}

/** Sorts plugin statuses into a {@link PluginSummary}. */
export function pluginSummary(statuses: readonly PluginStatus[]): PluginSummary {
  const message = (p: PluginStatus): string => p.error?.message ?? 'no reason recorded';
  return {
    started: statuses.filter((p) => p.state === 'started').map((p) => p.name),
    failed: statuses.filter((p) => p.state === 'failed').map((p) => ({ plugin: p.name, error: message(p) })),
    skipped: statuses.filter((p) => p.state === 'skipped').map((p) => ({ plugin: p.name, dependency: p.dependency ?? null, error: message(p) })),
    notEnabled: statuses.filter((p) => p.state === 'not-enabled').map((p) => p.name),
  };
}
