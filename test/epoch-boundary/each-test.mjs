// Setup file of ./vitest.config.mjs: each test starts XCORE_CLOCK_BOUNDARY_MS before an epoch boundary (see ./shift-clock.mjs).
import { beforeEach } from 'vitest';

beforeEach(() => globalThis.__xcoreEpochBoundary?.toNextBoundary());
