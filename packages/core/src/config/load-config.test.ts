import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigInvalidError, ConfigNotFoundError } from '../errors.js';
import type { ServiceDefinition } from '../services/service.js';
import { loadConfig, parseConfigText } from './load-config.js';
import { MAX_NESTING } from './read-yaml.js';
import type { ConfigIssue } from './types.js';

const FILE = '/app/xcore.yaml';

const mailer = {
  name: 'mailer',
  configSchema: z.strictObject({ host: z.string(), port: z.number().int().default(25) }),
  create: () => ({}),
} as unknown as ServiceDefinition;

const queue = {
  name: 'queue',
  configSchema: z.strictObject({ enabled: z.boolean().default(true), concurrency: z.number().int().positive().default(4) }),
  create: () => ({}),
} as unknown as ServiceDefinition;

/** Parses `text` and returns the issues it must be rejected with. */
function issuesOf(text: string, env: Record<string, string> = {}, services: ServiceDefinition[] = [queue]): ConfigIssue[] {
  try {
    parseConfigText(text, FILE, { env, services });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigInvalidError);
    expect((error as ConfigInvalidError).code).toBe('XCORE_ERR_CONFIG_INVALID');
    return [...(error as ConfigInvalidError).issues];
  }
  throw new Error('expected the config to be rejected');
}

/** Issues reduced to what a user reads: position, path, expected, found. */
function brief(issues: ConfigIssue[]): string[] {
  return issues.map((i) => `${i.line}:${i.col} ${i.path} | ${i.expected} | ${i.found}`);
}

describe('parseConfigText: valid files', () => {
  it('fills every default for an empty file', () => {
    const loaded = parseConfigText('', FILE, { env: {}, prettyDefault: false });
    expect(loaded.config).toEqual({
      app: { name: 'xcore', shutdownTimeoutMs: 10_000, faultOrigins: true },
      logging: { level: 'info', pretty: false },
      plugins: {
        directory: '/app/plugins',
        enabled: '*',
        config: {},
        hookTimeoutMs: 10_000,
        failFast: false,
        sandboxed: [],
        sandbox: { dataDirectory: '/app/data', maxOldSpaceMb: 256, maxRssMb: 512, stopGraceMs: 5_000, restartDelayMs: 1_000, maxRestartDelayMs: 30_000, maxCrashes: 5, crashWindowMs: 300_000, env: [] },
      },
      health: { failReadinessOn: [], checkTimeout: 2_000, eventLoopBlockedAfter: 30_000 },
      services: {},
    });
    expect(loaded.file).toBe(FILE);
  });

  it('reads every section, converts durations and resolves the plugins folder against the file', () => {
    const text = [
      '$schema: ./xcore.schema.json',
      'app:',
      '  name: shop',
      '  shutdownTimeoutMs: 1m30s',
      'logging: { level: debug, pretty: true }',
      'plugins:',
      '  directory: ../shared/plugins',
      '  enabled: [greeter, clock]',
      '  config:',
      '    greeter: { greeting: hello }',
      '  hookTimeoutMs: 2500',
      '  failFast: true',
      'services:',
      '  mailer: { host: smtp.local }',
    ].join('\n');
    const loaded = parseConfigText(text, FILE, { env: {}, services: [mailer, queue] });
    expect(loaded.config).toEqual({
      app: { name: 'shop', shutdownTimeoutMs: 90_000, faultOrigins: true },
      logging: { level: 'debug', pretty: true },
      plugins: {
        directory: '/shared/plugins',
        enabled: ['greeter', 'clock'],
        config: { greeter: { greeting: 'hello' } },
        hookTimeoutMs: 2500,
        failFast: true,
        sandboxed: [],
        sandbox: { dataDirectory: '/app/data', maxOldSpaceMb: 256, maxRssMb: 512, stopGraceMs: 5_000, restartDelayMs: 1_000, maxRestartDelayMs: 30_000, maxCrashes: 5, crashWindowMs: 300_000, env: [] },
      },
      health: { failReadinessOn: [], checkTimeout: 2_000, eventLoopBlockedAfter: 30_000 },
      services: { mailer: { host: 'smtp.local', port: 25 }, queue: { enabled: true, concurrency: 4 } },
    });
  });

  it('reads empty sections as absent', () => {
    const loaded = parseConfigText('app:\nservices:\n  queue:\n', FILE, { env: {}, services: [queue] });
    expect(loaded.config.app).toEqual({ name: 'xcore', shutdownTimeoutMs: 10_000, faultOrigins: true });
    expect(loaded.config.services).toEqual({ queue: { enabled: true, concurrency: 4 } });
  });

  it('interpolates variables; plain scalars are re-typed, quoted ones stay strings', () => {
    const text = [
      'app:',
      '  name: "${APP}-${STAGE:-dev}"',
      'plugins:',
      '  hookTimeoutMs: ${HOOK}',
      '  failFast: ${FAIL_FAST:-false}',
      '  config:',
      '    greeter:',
      '      port: "${PORT}"',
      '      raw: ${PORT}',
      '      path: $${HOME}/x',
    ].join('\n');
    const loaded = parseConfigText(text, FILE, { env: { APP: 'shop', HOOK: '750', PORT: '8080' } });
    expect(loaded.config.app.name).toBe('shop-dev');
    expect(loaded.config.plugins.hookTimeoutMs).toBe(750);
    expect(loaded.config.plugins.failFast).toBe(false);
    expect(loaded.config.plugins.config).toEqual({ greeter: { port: '8080', raw: 8080, path: '${HOME}/x' } });
  });

  it('uses process.env when no env is given', () => {
    process.env.XCORE_TEST_APP_NAME = 'from-env';
    try {
      expect(parseConfigText('app: { name: "${XCORE_TEST_APP_NAME}" }', FILE).config.app.name).toBe('from-env');
    } finally {
      delete process.env.XCORE_TEST_APP_NAME;
    }
  });

  it('deep-freezes the result', () => {
    const loaded = parseConfigText('plugins:\n  enabled: [a]\n  config: { a: { list: [1] } }\n', FILE, { env: {} });
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.config.plugins.enabled)).toBe(true);
    const section = loaded.config.plugins.config.a as { list: number[] };
    expect(Object.isFrozen(section.list)).toBe(true);
    expect(() => section.list.push(2)).toThrow(TypeError);
  });

  it('locates keys, values, list items and the closest ancestor of absent paths', () => {
    const text = ['app:', '  name: shop', 'plugins:', '  enabled:', '    - greeter', '    - clock', '  config:', '    greeter: { greeting: hi }'].join('\n');
    const loaded = parseConfigText(text, FILE, { env: {} });
    expect(loaded.locate([])).toEqual({ line: 1, col: 1 });
    expect(loaded.locate(['app', 'name'])).toEqual({ line: 2, col: 3 });
    expect(loaded.locateValue?.(['app', 'name'])).toEqual({ line: 2, col: 9 });
    expect(loaded.locate(['plugins', 'enabled', 1])).toEqual({ line: 6, col: 7 });
    expect(loaded.locate(['plugins', 'config', 'greeter', 'greeting'])).toEqual({ line: 8, col: 16 });
    expect(loaded.locate(['plugins', 'config', 'greeter', 'missing', 'deeper'])).toEqual({ line: 8, col: 5 });
    expect(loaded.locate(['logging', 'level'])).toEqual({ line: 1, col: 1 });
  });
});

describe('parseConfigText: YAML features', () => {
  it('expands anchors and aliases', () => {
    const text = ['plugins:', '  config:', '    a: &base { greeting: hi, times: 2 }', '    b: *base', '    c: &name ${WHO:-world}', '    d: *name'].join('\n');
    const loaded = parseConfigText(text, FILE, { env: {} });
    expect(loaded.config.plugins.config).toEqual({ a: { greeting: 'hi', times: 2 }, b: { greeting: 'hi', times: 2 }, c: 'world', d: 'world' });
  });

  it('reports an unset variable in an anchor once, at the anchor', () => {
    expect(brief(issuesOf('plugins:\n  config:\n    c: &name ${WHO}\n    d: *name\n'))).toEqual([
      '3:14 plugins.config.c | environment variable WHO to be set (or a default: ${WHO:-value}) | no variable WHO in the environment',
    ]);
  });

  it('refuses an alias bomb at the alias that passes the budget, without expanding it', () => {
    // Nine levels of nine aliases each: 9^9 (387 million) values from about 600 bytes.
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i += 1) levels.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
    const text = `plugins:\n  config:\n    bomb:\n${levels.map((l) => `      ${l}`).join('\n')}\n`;
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    const [issue] = issues;
    // a1..a3 add 90 + 819 + 7,380 values; the first alias of a4 (7,381 more) passes 10,000.
    expect(issue).toMatchObject({ kind: 'syntax', line: 8, path: 'plugins.config.bomb.a4[0]' });
    expect(text.split('\n')[issue!.line - 1]!.slice(issue!.col - 1)).toMatch(/^\*a3/);
    expect(issue!.message).toContain('at most 10,000 values');
  });

  it('expands many aliases of a small block (ten times the written values is allowed)', () => {
    const jobs = Array.from({ length: 20_000 }, (_, i) => `    j${i}: *t`).join('\n');
    const loaded = parseConfigText(`plugins:\n  config:\n    t: &t { every: 5s, args: [1, 2] }\n${jobs}\n`, FILE, { env: {} });
    const config = loaded.config.plugins.config;
    expect(Object.keys(config)).toHaveLength(20_001);
    expect(config['j19999']).toEqual({ every: '5s', args: [1, 2] });
  });

  it('reports an alias with no anchor before it', () => {
    expect(brief(issuesOf('plugins:\n  config:\n    a: *later\n    b: &later 1\n'))).toEqual([
      '3:8 plugins.config.a | an alias of an anchor defined above it | *later, an alias with no anchor &later before it',
    ]);
  });

  it('refuses values nested deeper than MAX_NESTING, also through aliases', () => {
    const deep = (inner: string) => `${'['.repeat(200)}${inner}${']'.repeat(200)}`;
    const text = `plugins:\n  config:\n    a: &a ${deep('1')}\n    b: &b ${deep('*a')}\n`;
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ kind: 'syntax', expected: `values nested at most ${MAX_NESTING} levels deep` });
    expect(issues[0]!.found).toContain('through aliases');
  });

  it('reads numeric keys as strings and rejects __proto__ as an unknown key', () => {
    const loaded = parseConfigText('plugins:\n  config:\n    1: one\n', FILE, { env: {} });
    expect(loaded.config.plugins.config).toEqual({ 1: 'one' });
    expect(brief(issuesOf('app:\n  __proto__: { name: x }\n'))).toEqual([
      '2:3 app.__proto__ | one of the known keys (name, shutdownTimeoutMs, faultOrigins) | unknown key "__proto__"',
    ]);
  });

  it('does not interpolate keys or comments', () => {
    const loaded = parseConfigText('plugins:\n  config:\n    ${KEY}: v # ${NOPE}\n', FILE, { env: {} });
    expect(loaded.config.plugins.config).toEqual({ '${KEY}': 'v' });
  });
});

describe('parseConfigText: every problem at its line and column', () => {
  it('reports an unknown key at the key, with the known keys and a suggestion', () => {
    expect(brief(issuesOf('plugins:\n  directory: ./p\n  hookTimeout: 5s\n'))).toEqual([
      '3:3 plugins.hookTimeout | one of the known keys (directory, enabled, config, hookTimeoutMs, failFast, sandboxed, sandbox) | unknown key "hookTimeout" (did you mean "hookTimeoutMs"?)',
    ]);
  });

  it('reports an unknown top-level key and an unknown service', () => {
    expect(brief(issuesOf('app: {}\nloging:\n  level: info\nservices:\n  mailr: {}\n  mailer: { host: h }\n', {}, [mailer, queue]))).toEqual([
      '2:1 loging | one of the known keys ($schema, app, logging, plugins, health, services) | unknown key "loging" (did you mean "logging"?)',
      '5:3 services.mailr | one of the known keys (mailer, queue) | unknown key "mailr" (did you mean "mailer"?)',
    ]);
  });

  it('says no service section is allowed when no service is registered', () => {
    expect(brief(issuesOf('services:\n  scheduler: {}\n', {}, []))).toEqual(['2:3 services.scheduler | no key here | unknown key "scheduler"']);
  });

  it('reports a wrong type at the value', () => {
    expect(brief(issuesOf('plugins:\n  failFast: "yes"\n'))).toEqual(['2:13 plugins.failFast | boolean | "yes"']);
  });

  it('reports a bad enum value with the allowed values', () => {
    expect(brief(issuesOf('logging:\n  level: verbose\n'))).toEqual([
      '2:10 logging.level | one of "trace", "debug", "info", "warn", "error", "fatal", "silent" | "verbose"',
    ]);
  });

  it('reports a bad duration, text or negative or of the wrong type', () => {
    expect(brief(issuesOf('app:\n  shutdownTimeoutMs: soon\nplugins:\n  hookTimeoutMs: -5\n  config: {}\n'))).toEqual([
      '2:22 app.shutdownTimeoutMs | a duration like 500, "30s", "5m" or "1h30m" | "soon"',
      '4:18 plugins.hookTimeoutMs | a duration like 500, "30s", "5m" or "1h30m" | -5',
    ]);
    expect(brief(issuesOf('plugins:\n  hookTimeoutMs: [1]\n'))).toEqual(['2:18 plugins.hookTimeoutMs | a duration like 500, "30s", "5m" or "1h30m" | a list of 1 item(s)']);
  });

  it('reports a missing required key at the closest entry that exists', () => {
    expect(brief(issuesOf('services:\n  mailer:\n    port: 2525\n', {}, [mailer]))).toEqual(['2:3 services.mailer.host | string | nothing (the key is missing)']);
  });

  it('reports a missing required key of an absent service section at the document start', () => {
    expect(brief(issuesOf('app: { name: x }\n', {}, [mailer]))).toEqual(['1:1 services.mailer.host | string | nothing (the key is missing)']);
  });

  it('reports an item of a list at the item', () => {
    expect(brief(issuesOf('plugins:\n  enabled:\n    - greeter\n    - 42\n'))).toEqual(['4:7 plugins.enabled[1] | string | 42']);
    expect(brief(issuesOf('plugins:\n  enabled: all\n'))).toEqual(['2:12 plugins.enabled | "*" or array | "all"']);
  });

  it('reports an unset variable at the reference, inside quoted strings too', () => {
    expect(brief(issuesOf('app:\n  name: "shop-${STAGE}"\n'))).toEqual([
      '2:15 app.name | environment variable STAGE to be set (or a default: ${STAGE:-value}) | no variable STAGE in the environment',
    ]);
  });

  it('reports every unset variable of one value, and a malformed reference', () => {
    expect(brief(issuesOf('app:\n  name: ${A}-${B}-${A}\nlogging:\n  level: ${level\n'))).toEqual([
      '2:9 app.name | environment variable A to be set (or a default: ${A:-value}) | no variable A in the environment',
      '2:14 app.name | environment variable B to be set (or a default: ${B:-value}) | no variable B in the environment',
      '2:19 app.name | environment variable A to be set (or a default: ${A:-value}) | no variable A in the environment',
      '4:10 logging.level | ${NAME} or ${NAME:-default} (write $${ for a literal ${) | ${level',
    ]);
  });

  it('reports a document that is not a map, and a second document', () => {
    expect(brief(issuesOf('# config\n- app\n'))).toEqual(['2:1  | object | a list of 1 item(s)']);
    expect(brief(issuesOf('app: {}\n---\nlogging: {}\n'))).toEqual(['2:1  | valid YAML | Source contains multiple documents; please use YAML.parseAllDocuments()']);
  });

  it('reports a YAML syntax error at its position', () => {
    expect(brief(issuesOf('app:\n  name: a: b\n'))).toEqual(['2:9  | valid YAML | Nested mappings are not allowed in compact mappings']);
    expect(brief(issuesOf('app:\n\tname: x\n'))).toEqual(['2:1  | valid YAML | Tabs are not allowed as indentation']);
    expect(brief(issuesOf('app:\n  name: x\n  name: y\n'))).toEqual(['3:3  | valid YAML | Map keys must be unique']);
  });

  it('reports interpolation and schema problems together, ordered by position, in one message', () => {
    const text = [
      'app:',
      '  name: demo',
      '  shutdownTimeoutMs: soon',
      'logging:',
      '  level: verbose',
      '  prety: true',
      'plugins:',
      '  hookTimeoutMs: ${HOOK:-5s}',
      '  failFast: ${FF}',
      'services:',
      '  mailer:',
      '    port: "25"',
      '  queue: { concurrency: 0 }',
    ].join('\n');
    let error: ConfigInvalidError | undefined;
    try {
      parseConfigText(text, FILE, { env: {}, services: [mailer, queue] });
    } catch (caught) {
      error = caught as ConfigInvalidError;
    }
    expect(error?.message).toBe(
      [
        'Invalid config /app/xcore.yaml: 7 problems:',
        '  /app/xcore.yaml:3:22  app.shutdownTimeoutMs: expected a duration like 500, "30s", "5m" or "1h30m", found "soon"',
        '  /app/xcore.yaml:5:10  logging.level: expected one of "trace", "debug", "info", "warn", "error", "fatal", "silent", found "verbose"',
        '  /app/xcore.yaml:6:3  logging.prety: expected one of the known keys (level, pretty), found unknown key "prety" (did you mean "pretty"?)',
        '  /app/xcore.yaml:9:13  plugins.failFast: expected environment variable FF to be set (or a default: ${FF:-value}), found no variable FF in the environment',
        '  /app/xcore.yaml:11:3  services.mailer.host: expected string, found nothing (the key is missing)',
        '  /app/xcore.yaml:12:11  services.mailer.port: expected number, found "25"',
        '  /app/xcore.yaml:13:25  services.queue.concurrency: expected number > 0, found 0',
        'Fix them and check the file with `xcore validate`.',
      ].join('\n'),
    );
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xcore-config-'));

  it('reads a file relative to cwd and resolves plugins.directory against the file', async () => {
    mkdirSync(join(dir, 'conf'), { recursive: true });
    writeFileSync(join(dir, 'conf', 'app.yaml'), 'plugins:\n  directory: ../plugins\n');
    const loaded = await loadConfig('conf/app.yaml', { cwd: dir, env: {} });
    expect(loaded.file).toBe(join(dir, 'conf', 'app.yaml'));
    expect(loaded.config.plugins.directory).toBe(join(dir, 'plugins'));
  });

  it('reports problems with the absolute file name', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'logging:\n  level: loud\n');
    await expect(loadConfig(join(dir, 'bad.yaml'), { env: {} })).rejects.toMatchObject({
      code: 'XCORE_ERR_CONFIG_INVALID',
      issues: [expect.objectContaining({ file: join(dir, 'bad.yaml'), line: 2, col: 10, path: 'logging.level' })],
    });
  });

  it('throws ConfigNotFoundError naming the path and suggesting -c', async () => {
    const error = await loadConfig('missing.yaml', { cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigNotFoundError);
    expect((error as ConfigNotFoundError).code).toBe('XCORE_ERR_CONFIG_NOT_FOUND');
    expect((error as ConfigNotFoundError).path).toBe(join(dir, 'missing.yaml'));
    expect((error as Error).message).toContain(join(dir, 'missing.yaml'));
    expect((error as Error).message).toContain('-c <file>');
  });

  it('throws ConfigNotFoundError for a folder', async () => {
    await expect(loadConfig(dir)).rejects.toBeInstanceOf(ConfigNotFoundError);
  });
});
