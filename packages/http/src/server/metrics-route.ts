/**
 * `GET <basePath>/metrics`: the scheduler's metrics as Prometheus text exposition format 0.0.4.
 */
import { PROMETHEUS_CONTENT_TYPE } from '@xcore/scheduler';
import { HttpServiceUnavailableError } from '../errors.js';
import { defineRoute } from '../routes/route-definition.js';

/** Where the metrics come from: the scheduler's `prometheus()`, read on each scrape. */
export type MetricsSource = () => { prometheus(): Promise<string> } | undefined;

/**
 * The `/metrics` route, with scope `read` (or public when `auth` says so).
 *
 * @remarks
 * Answers `text/plain; version=0.0.4; charset=utf-8`, never cached; 503 with the error shape when
 * this host runs no scheduler.
 */
export function metricsRoute(auth: 'read' | 'public', source: MetricsSource) {
  return defineRoute({
    method: 'GET',
    path: '/metrics',
    auth,
    operationId: 'metrics',
    summary: 'The scheduler\'s metrics, Prometheus text exposition format 0.0.4',
    tags: ['metrics'],
    errorResponses: { 503: 'This host runs no scheduler.' },
    handler: async ({ requestId }) => {
      const metrics = source();
      if (metrics === undefined) throw new HttpServiceUnavailableError('GET /metrics', 'scheduler', 'Enable services.scheduler in xcore.yaml (it is on by default), or set services.http.metrics.enabled: false.');
      return new Response(await metrics.prometheus(), {
        status: 200,
        headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store', 'x-request-id': requestId },
      });
    },
  });
}
