import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      // Before '@xcore/scheduler', which would take the subpath as a path under its index.ts.
      '@xcore/scheduler/run-log-kit': fileURLToPath(new URL('./packages/scheduler/src/runlog/run-log-kit.ts', import.meta.url)),
      '@xcore/core': src('core'),
      '@xcore/scheduler': src('scheduler'),
      '@xcore/http': src('http'),
      '@xcore/cli': src('cli'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'plugins/**/*.test.ts', 'test/**/*.test.ts', 'jobs/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
