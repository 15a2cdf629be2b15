/**
 * Error codes are unique across every package, not only within one: a code names one condition.
 */
import { describe, expect, it } from 'vitest';
import * as cli from '../packages/cli/src/errors.js';
import * as core from '../packages/core/src/errors.js';
import * as http from '../packages/http/src/errors.js';
import * as dashboard from '../packages/dashboard/src/errors.js';
import * as scheduler from '../packages/scheduler/src/errors.js';
import * as runLog from '../packages/scheduler/src/runlog/run-log-errors.js';
import * as runLogPostgres from '../packages/runlog-postgres/src/errors.js';
import * as health from '../plugins/health/src/errors.js';
import * as notify from '../plugins/notify/src/errors.js';
import { buildError, errorClassesOf } from './helpers/error-catalogue.js';

describe('error codes across packages', () => {
  it('no two packages use the same code', () => {
    const owners = new Map<string, string[]>();
    for (const [pkg, ns] of Object.entries({ core, scheduler, runLog, runLogPostgres, http, dashboard, cli, health, notify })) {
      for (const [name, Cls] of errorClassesOf(ns as Record<string, unknown>)) {
        const code = buildError(Cls).code;
        owners.set(code, [...(owners.get(code) ?? []), `${pkg}.${name}`]);
      }
    }
    expect(owners.size).toBeGreaterThan(55);
    expect([...owners].filter(([, names]) => names.length > 1)).toEqual([]);
  });
});
