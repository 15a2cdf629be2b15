/**
 * The factory `@xcore/scheduler` calls when `services.scheduler.runLog.backend` is `postgres`
 * (through `loadRunLogSink`): the config section in, an opened {@link PostgresRunLog} out.
 */
import type { RunLogBackendOptions } from '@xcore/scheduler';
import { PostgresRunLog } from './postgres-run-log.js';

/**
 * Opens a {@link PostgresRunLog} from the validated `services.scheduler.runLog` section.
 *
 * @remarks
 * `retention` and `flushMs` arrive in milliseconds (the config schema parsed `30d`, `200ms`).
 * Like {@link PostgresRunLog.open}, it throws when PostgreSQL refuses the credentials, the database
 * or the schema, and succeeds (queueing) when PostgreSQL is only unreachable.
 */
export async function createRunLogSink(options: RunLogBackendOptions): Promise<PostgresRunLog> {
  return PostgresRunLog.open({
    url: options.url,
    schema: options.schema,
    batchSize: options.batchSize,
    flushMs: options.flushMs,
    queueLimit: options.queueLimit,
    retention: options.retention,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}
