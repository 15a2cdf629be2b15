/**
 * The RunLogSink contract suite: the vitest tests every {@link RunLogSink} implementation passes.
 *
 * @remarks
 * Backend-neutral: records are written, flushed and read back through the contract only. Each test
 * gets a fresh, empty sink from `setup` and tears it down afterwards. Times are fixed instants in
 * January 2026, so a backend under test must not expire rows by age (give it no retention). The
 * tests live in `run-log-contract-*.ts` by concern (writes, queries, paging); this file is the one
 * entry point that runs them all.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { RunLogSink } from './run-log-sink.js';
import { describeRunLogPagingContract } from './run-log-contract-paging.js';
import { describeRunLogQueryContract } from './run-log-contract-query.js';
import { describeRunLogWriteContract } from './run-log-contract-write.js';

/** What a contract `setup` returns: a fresh, empty sink and how to dispose of it. */
export interface RunLogContractFixture {
  readonly sink: RunLogSink;
  /** Closes the sink (if the test did not) and frees what `setup` created (database, schema). */
  teardown(): Promise<void>;
}

/**
 * Registers the contract tests for one sink implementation.
 *
 * @param name - the describe block title, e.g. `MemoryRunLog`.
 * @param setup - creates a fresh empty sink for one test.
 *
 * @example
 * ```ts
 * describeRunLogContract('MemoryRunLog', async () => ({ sink: new MemoryRunLog(), teardown: async () => {} }));
 * ```
 */
export function describeRunLogContract(name: string, setup: () => Promise<RunLogContractFixture>): void {
  describe(`RunLogSink contract: ${name}`, () => {
    let fixture: RunLogContractFixture;

    beforeEach(async () => {
      fixture = await setup();
    });
    afterEach(async () => {
      await fixture.teardown();
    });

    const sink = (): RunLogSink => fixture.sink;
    describeRunLogWriteContract(sink);
    describeRunLogQueryContract(sink);
    describeRunLogPagingContract(sink);
  });
}
