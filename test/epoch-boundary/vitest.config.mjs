// The repository's vitest config with ./each-test.mjs as a setup file (see ./shift-clock.mjs).
import { fileURLToPath } from 'node:url';
import base from '../../vitest.config.ts';

export default {
  ...base,
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: { ...base.test, setupFiles: [fileURLToPath(new URL('./each-test.mjs', import.meta.url))] },
};
