/**
 * Which running host a command talks to, and with which token: `--url`, else `XCORE_URL`, else the
 * `services.http` section of the nearest `xcore.yaml` (from the working directory upwards, or
 * `-c <file>`); the token from `--token`, else `XCORE_TOKEN`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { dirname, resolve } from 'node:path';
import { ConfigInvalidError, formatConfigPath, positionIssues, readYaml, type ConfigEnv } from '@xcore/core';
import { httpConfigSchema } from '@xcore/http';
import { CliHostNotConfiguredError, CliUsageError } from '../errors.js';
import { findConfigFile } from '../find-config.js';

/** Where a command sends its requests. */
export interface HostTarget {
  /** Base URL of the host, with its base path and no trailing slash (`http://127.0.0.1:8080/xcore`). */
  readonly url: string;
  /** Where the URL came from, for messages: `--url`, `XCORE_URL`, `services.http in /app/xcore.yaml`. */
  readonly source: string;
  /** Certificates to trust (PEM) besides the system's: the server's own when it came from an xcore.yaml with `tls`. */
  readonly ca?: readonly string[];
  /** The bearer token, if any. */
  readonly token?: string;
  /** Where the token came from: `--token`, `XCORE_TOKEN`, or `no token`. */
  readonly tokenSource: string;
}

/** What the command line says about the host. */
export interface HostOptions {
  /** `--url`. */
  readonly url?: string | undefined;
  /** `--token`. */
  readonly token?: string | undefined;
  /** `-c/--config`: the xcore.yaml to read `services.http` from. */
  readonly config?: string | undefined;
  readonly cwd: string;
  readonly env: ConfigEnv;
}

/** The keys of `services.http` that say where the server listens; the rest (auth) is not read. */
const ADDRESS_KEYS = ['enabled', 'host', 'port', 'basePath', 'tls'] as const;

/** `ok`, or why `text` is not a usable base URL. */
function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the scheme is "${url.protocol}", expected http: or https:`;
  if (url.search !== '' || url.hash !== '') return 'it has a query or fragment; give the base URL only (scheme, host, port, base path)';
  if (url.username !== '' || url.password !== '') return 'it carries credentials; pass the token with --token or XCORE_TOKEN';
  return undefined;
}

const withoutSlash = (url: string): string => url.replace(/\/+$/, '');

/** A token must fit in one `Authorization` header line. */
function checkToken(token: string, source: string): string {
  if (!/^[\x21-\x7e]+$/.test(token)) throw new CliUsageError(`The token from ${source} has spaces, line breaks or non-ASCII characters; a bearer token has none.`);
  return token;
}

/**
 * Resolves the host and token a command uses.
 *
 * @throws {@link CliUsageError} for a malformed `--url` or token.
 * @throws {@link CliHostNotConfiguredError} when no address can be found.
 * @throws `ConfigInvalidError` when the address keys of `services.http` in the xcore.yaml used are invalid.
 */
export async function resolveHostTarget(options: HostOptions): Promise<HostTarget> {
  const tokenText = options.token ?? options.env['XCORE_TOKEN'];
  const tokenSource = options.token !== undefined ? '--token' : tokenText !== undefined && tokenText !== '' ? 'XCORE_TOKEN' : 'no token';
  const token = tokenText === undefined || tokenText === '' ? {} : { token: checkToken(tokenText, tokenSource) };

  if (options.url !== undefined) {
    const problem = urlProblem(options.url);
    if (problem !== undefined) throw new CliUsageError(`--url "${options.url}" is not usable: ${problem}.`);
    return { url: withoutSlash(options.url), source: '--url', ...token, tokenSource };
  }
  const envUrl = options.env['XCORE_URL'];
  if (envUrl !== undefined && envUrl !== '') {
    const problem = urlProblem(envUrl);
    if (problem !== undefined) throw new CliHostNotConfiguredError(`XCORE_URL "${envUrl}" is not usable (${problem})`);
    return { url: withoutSlash(envUrl), source: 'XCORE_URL', ...token, tokenSource };
  }
  const file = findConfigFile(options.config, options.cwd);
  if (!existsSync(file)) {
    throw new CliHostNotConfiguredError(
      options.config !== undefined ? `the config file ${file} does not exist` : `no --url, no XCORE_URL, and no xcore.yaml in ${options.cwd} or a folder above it`,
    );
  }
  return { ...(await targetFromConfig(file, options.env)), ...token, tokenSource };
}

/** The address `services.http` of `file` listens on, as a URL a client can use. */
async function targetFromConfig(file: string, env: ConfigEnv): Promise<Pick<HostTarget, 'url' | 'source' | 'ca'>> {
  const read = readYaml(await readFile(file, 'utf8'), file, env);
  if (!read.syntaxOk) throw new ConfigInvalidError(read.issues);
  const base = ['services', 'http'] as const;
  const relevant = read.issues.filter((issue) => ADDRESS_KEYS.some((key) => issue.path === formatConfigPath([...base, key]) || issue.path.startsWith(`${formatConfigPath([...base, key])}.`)));
  if (relevant.length > 0) throw new ConfigInvalidError(relevant);

  const section = (read.value as { services?: { http?: unknown } } | null)?.services?.http;
  const picked: Record<string, unknown> = {};
  if (section !== null && typeof section === 'object') {
    for (const key of ADDRESS_KEYS) if (key in section) picked[key] = (section as Record<string, unknown>)[key];
  }
  const result = httpConfigSchema.safeParse(picked, { reportInput: true });
  if (!result.success) {
    const locator = { file, locate: (p: readonly (string | number)[]) => read.index.locate(p), locateValue: (p: readonly (string | number)[]) => read.index.locateValue(p) };
    throw new ConfigInvalidError(positionIssues(locator, base, result.error.issues, httpConfigSchema, picked));
  }
  const http = result.data;
  const source = `services.http in ${file}`;
  if (!http.enabled) throw new CliHostNotConfiguredError(`services.http is not enabled in ${file}, so that app serves no admin API`);
  if (http.port === 0) {
    throw new CliHostNotConfiguredError(`services.http.port is 0 in ${file}: the host picks a free port at each start (logged as "http listening" with its url); pass that url with --url`);
  }
  const host = connectHost(http.host);
  const scheme = http.tls === undefined ? 'http' : 'https';
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${http.port}${http.basePath}`;
  if (http.tls === undefined) return { url, source };
  // Trust the server's own certificate (a self-signed one included) besides the system's roots.
  const cert = await readFile(resolve(dirname(file), http.tls.cert), 'utf8').catch(() => undefined);
  return { url, source, ...(cert === undefined ? {} : { ca: [...rootCertificates, cert] }) };
}

/** The address to connect to for a listen address: a wildcard means this machine. */
function connectHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host.replace(/^\[(.*)\]$/, '$1');
}
