// Builds the browser side of the dashboard: client/main.ts bundled and minified by esbuild into
// dist/assets/app-<hash>.js, client/styles.css into app-<hash>.css, the icon copied, and
// dist/assets/manifest.json naming them (read by DashboardAssets.load). No CDN, no runtime deps.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

const out = new URL('./dist/assets/', import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: { app: new URL('./client/main.ts', import.meta.url).pathname, style: new URL('./client/styles.css', import.meta.url).pathname },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  outdir: out.pathname,
  entryNames: '[name]-[hash]',
  sourcemap: false,
  metafile: true,
  legalComments: 'none',
  external: ['*.svg'],
  logLevel: 'warning',
});
const names = Object.keys(result.metafile.outputs).map((p) => p.slice(p.lastIndexOf('/') + 1));
const script = names.find((n) => n.startsWith('app-') && n.endsWith('.js'));
const style = names.find((n) => n.startsWith('style-') && n.endsWith('.css'));
// esbuild also writes an empty style-<hash>.js for the CSS entry: drop it.
for (const name of readdirSync(out)) if (name.startsWith('style-') && name.endsWith('.js')) rmSync(new URL(name, out));
copyFileSync(new URL('./client/icon.svg', import.meta.url), new URL('icon.svg', out));
const files = [script, style, 'icon.svg'];
writeFileSync(new URL('manifest.json', out), JSON.stringify({ script, style, files }, null, 2));
const bytes = files.map((f) => `${f} ${readdirSync(out).includes(f) ? 'ok' : 'MISSING'}`).join(', ');
console.log(`dashboard assets: ${bytes} (${createHash('sha256').update(files.join()).digest('hex').slice(0, 8)})`);
