import { defineConfig } from 'tsup';

export default defineConfig({
  // The sandbox bootstrap is the main module of sandboxed plugins' processes (src/sandbox/).
  entry: { index: 'src/index.ts', 'sandbox-bootstrap': 'src/sandbox/bootstrap.ts' },
  format: ['esm'],
  target: 'node20',
  dts: { entry: { index: 'src/index.ts' }, compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  splitting: false,
});
