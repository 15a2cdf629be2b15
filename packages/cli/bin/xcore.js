#!/usr/bin/env node
// The `xcore` binary as package managers link it. A plain file committed beside the sources, so
// `pnpm install` on a fresh clone can link it before anything is built; it loads the built CLI.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('xcore: the CLI is not built yet (packages/cli/dist/bin.js is missing). Run `pnpm build` in the repository, or `pnpm start`, which builds what is out of date.\n');
  process.exit(1);
}
await import(entry.href);
