/**
 * The dashboard's built files (the browser bundle, its stylesheet, the icon) and the HTML page
 * that loads them, read once from `dist/assets`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DashboardAssetsMissingError } from './errors.js';

/** One file the dashboard serves under `/admin/assets/`. */
export interface DashboardFile {
  /** File name (content-hashed for the script and stylesheet, so it can be cached for ever). */
  readonly name: string;
  readonly body: Uint8Array;
  /** `Content-Type` to answer with. */
  readonly contentType: string;
  /** Strong ETag (quoted SHA-256 prefix of the body). */
  readonly etag: string;
  /** True when the name changes with the content (`cache-control: immutable`). */
  readonly immutable: boolean;
}

/** What `build-client.mjs` writes beside the files. */
interface Manifest {
  readonly script: string;
  readonly style: string;
  readonly files: readonly string[];
}

const TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  map: 'application/json; charset=utf-8',
};

/** Where the build writes the assets: `dist/assets` of this package (also when this module runs from `src/`, as in tests). */
export function defaultAssetsDir(): string {
  const fromSource = /\/src\/[^/]+$/.test(new URL(import.meta.url).pathname);
  return fileURLToPath(new URL(fromSource ? '../dist/assets/' : './assets/', import.meta.url));
}

/** `&`, `<`, `>`, `"` and `'` as entities, for attribute values of the page. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The dashboard's files and page.
 *
 * @remarks
 * The page has no inline script or style: it loads one module script and one stylesheet from
 * `<basePath>/admin/assets/`, and passes the base path in a `<meta>` element, so it runs under
 * the strict Content-Security-Policy of {@link DASHBOARD_CSP}.
 *
 * @example
 * ```ts
 * const assets = DashboardAssets.load();
 * const html = assets.page('');           // the document for GET /admin/
 * const js = assets.file(assets.script);  // GET /admin/assets/<script>
 * ```
 */
export class DashboardAssets {
  readonly #files: ReadonlyMap<string, DashboardFile>;
  /** File name of the bundle. */
  readonly script: string;
  /** File name of the stylesheet. */
  readonly style: string;

  private constructor(files: ReadonlyMap<string, DashboardFile>, manifest: Manifest) {
    this.#files = files;
    this.script = manifest.script;
    this.style = manifest.style;
  }

  /**
   * Reads the built assets.
   *
   * @param dir - The folder holding `manifest.json`. @defaultValue this package's `dist/assets`
   * @throws `XCORE_ERR_DASHBOARD_ASSETS_MISSING` when the manifest or a file it lists cannot be read.
   */
  static load(dir: string = defaultAssetsDir()): DashboardAssets {
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(new URL('manifest.json', `file://${dir.endsWith('/') ? dir : `${dir}/`}`), 'utf8')) as Manifest;
    } catch (error) {
      throw new DashboardAssetsMissingError(dir, `manifest.json: ${(error as Error).message}`);
    }
    if (typeof manifest.script !== 'string' || typeof manifest.style !== 'string' || !Array.isArray(manifest.files)) {
      throw new DashboardAssetsMissingError(dir, 'manifest.json does not name the script, the stylesheet and the files');
    }
    const files = new Map<string, DashboardFile>();
    for (const name of manifest.files) {
      let body: Buffer;
      try {
        body = readFileSync(`${dir.endsWith('/') ? dir : `${dir}/`}${name}`);
      } catch (error) {
        throw new DashboardAssetsMissingError(dir, `${name}: ${(error as Error).message}`);
      }
      const ext = name.slice(name.lastIndexOf('.') + 1);
      files.set(name, {
        name,
        body,
        contentType: TYPES[ext] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        immutable: name === manifest.script || name === manifest.style,
      });
    }
    return new DashboardAssets(files, manifest);
  }

  /** A file by name, or `undefined`. */
  file(name: string): DashboardFile | undefined {
    return this.#files.get(name);
  }

  /**
   * The HTML document of the dashboard.
   *
   * @param basePath - The http service's base path (`''` or `/xcore`), from which the assets and
   * the admin API are reached.
   */
  page(basePath: string): string {
    const base = escapeHtml(basePath);
    const assets = `${base}/admin/assets`;
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<meta name="xcore-base" content="${base}">
<title>xcore dashboard</title>
<link rel="icon" href="${assets}/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${assets}/${escapeHtml(this.style)}">
<script type="module" src="${assets}/${escapeHtml(this.script)}"></script>
</head>
<body>
<noscript><p class="noscript">The xcore dashboard needs JavaScript. The admin API at ${base}/admin/v1 works without it.</p></noscript>
<div id="app"></div>
</body>
</html>
`;
  }
}

/**
 * The Content-Security-Policy the dashboard's page is served with.
 *
 * @remarks
 * Only this origin's scripts, styles, images and connections (the admin API and its event
 * stream); no inline script or style, no `eval`, no framing, no plugins, forms post only here.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
