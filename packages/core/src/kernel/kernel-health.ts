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
}

/** {@link PluginStatus} as JSON, for health reports and logs. */
export function pluginStatusJson(status: PluginStatus): PluginStatusJson {
  const { error } = status;
  if (error === undefined) return { name: status.name, version: status.version, state: status.state };
  const code = (error as { code?: unknown }).code;
  return { name: status.name, version: status.version, state: status.state, error: { ...(typeof code === 'string' ? { code } : {}), name: error.name, message: error.message } };
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
        const broken = plugins.filter((p) => p.state === 'failed' || p.state === 'disabled');
        const data = { plugins: plugins.map(pluginStatusJson) };
        if (broken.length === 0) return { healthy: true, detail: `${plugins.filter((p) => p.state === 'started').length} started`, data };
        return { healthy: false, detail: broken.map((p) => `${p.name} ${p.state}: ${p.error?.message ?? 'no reason recorded'}`).join('; '), data };
      },
    },
  ];
}
