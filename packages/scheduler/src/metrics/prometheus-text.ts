/**
 * Renders collected metric families as Prometheus text exposition format 0.0.4, the format every
 * Prometheus server and agent scrapes.
 */
import type { MetricFamily } from './metric-registry.js';

/** The `content-type` of {@link renderPrometheusText}'s output. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function num(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelText(names: readonly string[], values: readonly string[], extra?: string): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra !== undefined) parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/**
 * The exposition text of `families`: `# HELP` and `# TYPE` per family, then its samples
 * (histograms as cumulative `_bucket{le=...}` series, `+Inf` included, then `_sum` and `_count`).
 */
export function renderPrometheusText(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.kind}`);
    if (f.kind === 'histogram') {
      for (const s of f.samples) {
        f.bounds.forEach((le, i) => out.push(`${f.name}_bucket${labelText(f.labelNames, s.labels, `le="${num(le)}"`)} ${s.buckets[i] ?? 0}`));
        out.push(`${f.name}_bucket${labelText(f.labelNames, s.labels, 'le="+Inf"')} ${s.count}`);
        out.push(`${f.name}_sum${labelText(f.labelNames, s.labels)} ${num(s.sum)}`);
        out.push(`${f.name}_count${labelText(f.labelNames, s.labels)} ${s.count}`);
      }
    } else {
      for (const s of f.samples) out.push(`${f.name}${labelText(f.labelNames, s.labels)} ${num(s.value)}`);
    }
  }
  return `${out.join('\n')}\n`;
}
