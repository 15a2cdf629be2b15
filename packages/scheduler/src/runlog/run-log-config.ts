/**
 * The zod schema of `services.scheduler.runLog`: which run-log backend to use and how it batches,
 * queues and expires records.
 *
 * @remarks
 * Strict like every section. The backend's package is loaded only when this section is present
 * ({@link loadRunLogSink}), so `@xcore/scheduler` has no dependency on `pg`.
 */
import { duration } from '@xcore/core';
import { z } from 'zod';

/** Shortest retention accepted: a bare number is milliseconds, and `retention: 30` meaning 30 days would otherwise empty the table. */
const MIN_RETENTION_MS = 3_600_000;

/** A PostgreSQL identifier written without quotes: what a schema name may be here. */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Schema of `services.scheduler.runLog`.
 *
 * @example
 * ```yaml
 * services:
 *   scheduler:
 *     runLog:
 *       backend: postgres
 *       url: ${RUNLOG_DATABASE_URL}
 *       retention: 30d
 * ```
 */
export const runLogConfigSchema = z
  .strictObject({
    /** The backend: `postgres` (package `@xcore/runlog-postgres`). */
    backend: z.enum(['postgres']).describe('Run-log backend: `postgres` (install the package `@xcore/runlog-postgres`).'),
    /** Connection URL, usually from the environment: `${RUNLOG_DATABASE_URL}`. */
    url: z
      .string()
      .min(1)
      .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), { message: 'expected a URL like postgres://user:password@host:5432/database (write ${RUNLOG_DATABASE_URL} to take it from the environment)' })
      .describe('PostgreSQL URL, e.g. `${RUNLOG_DATABASE_URL}` or postgres://user@host:5432/db.'),
    /** Schema holding the table and its migrations record. @defaultValue `'xcore'` */
    schema: z
      .string()
      .regex(SQL_IDENTIFIER, 'expected a lowercase SQL identifier (letters, digits, _; not starting with a digit; at most 63 characters)')
      .default('xcore')
      .describe('PostgreSQL schema of the run_log table (created if missing). Default \'xcore\'.'),
    /** Records per insert. @defaultValue `2000` */
    batchSize: z.number().int().min(1).max(10_000).default(2000).describe('Records per insert (one COPY). Default 2000.'),
    /** Longest wait before a partial batch is written. @defaultValue `200` */
    flushMs: duration()
      .refine((v) => v >= 1 && v <= 60_000, { message: 'expected 1 ms to 60s' })
      .default(200)
      .describe('Longest wait before a partial batch is written. Default 200.'),
    /** Rows older than this (by `finishedAt`) are deleted; `null` keeps them forever. @defaultValue `30d` */
    retention: z
      .union([z.null(), duration()])
      .refine((v) => v === null || v >= MIN_RETENTION_MS, { message: 'expected at least 1h, or null to keep rows forever (a bare number is milliseconds: write 30d for 30 days)' })
      .default(30 * 86_400_000)
      .describe('Delete rows finished longer ago than this; `null` keeps them forever. Default 30d.'),
    /** Most records held in memory while the database is slow or away; the oldest are dropped past it. @defaultValue `50000` */
    queueLimit: z
      .number()
      .int()
      .min(2)
      .max(10_000_000)
      .default(50_000)
      .describe('Most records held while the database is slow or away; past it the oldest are dropped (counted and logged). Default 50000.'),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.queueLimit <= cfg.batchSize) {
      ctx.addIssue({ code: 'custom', path: ['queueLimit'], message: `must be greater than batchSize (${cfg.batchSize}): one batch is written while the next queues` });
    }
  });

/** The validated `services.scheduler.runLog` section. */
export type RunLogConfig = z.output<typeof runLogConfigSchema>;
