import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  // run-log-kit: the run-log record helpers alone, for a sink's writer thread (see src/runlog/run-log-kit.ts).
  entry: { index: 'src/index.ts', 'run-log-kit': 'src/runlog/run-log-kit.ts' },
  format: ['esm'],
  target: 'node20',
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  splitting: false,
  // RedisStore reads its Lua scripts from `new URL('./lua/', import.meta.url)`: next to
  // `src/stores/redis/scripts.ts` in tests, next to the bundled `dist/index.js` once built.
  onSuccess: async () => {
    cpSync('src/stores/redis/lua', 'dist/lua', { recursive: true });
  },
});
