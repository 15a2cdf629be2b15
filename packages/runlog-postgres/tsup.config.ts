import { defineConfig } from 'tsup';

// The SQL migrations stay in `migrations/` at the package root: `src/migrations.ts` (tests) and the
// bundled `dist/index.js` both sit one level below it and read `new URL('../migrations/', import.meta.url)`.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  splitting: false,
});
