import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RedisCommandError, RedisKeyTypeError, RedisScriptError, RedisUnavailableError } from '../../errors.js';
import { loadScripts, SCRIPT_NAMES, scriptCodeError, toStoreError } from './scripts.js';

const LUA_DIR = new URL('./lua/', import.meta.url);

describe('store Lua scripts', () => {
  it('every .lua command file is loaded, and every loaded script has a file', () => {
    const files = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua') && !f.startsWith('_')).map((f) => f.slice(0, -4));
    expect([...files].sort()).toEqual([...SCRIPT_NAMES].sort());
  });

  it.each(SCRIPT_NAMES)('%s.lua has a header documenting its KEYS (matching its name), ARGV and return value', (name) => {
    const text = readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8');
    const header = /^--\[\[([\s\S]*?)\]\]/.exec(text)?.[1] ?? '';
    const numKeys = Number(name.slice(name.lastIndexOf('-') + 1));
    const documentedKeys = new Set(header.match(/KEYS\[\d+\]/g) ?? []);
    expect(documentedKeys.size).toBe(numKeys);
    expect(header).toMatch(/Returns/);
    if (/ARGV\[/.test(text.slice(header.length))) expect(header).toMatch(/ARGV\[1\]/);
  });

  it('prefixes each script with the schedule field table and the prelude, and hashes the full source', () => {
    const scripts = loadScripts();
    const claim = scripts['claim-due-3'];
    expect(claim.numberOfKeys).toBe(3);
    expect(claim.source.startsWith("local SCHEDULE_FIELDS = {'def', 'hash', 'next',")).toBe(true);
    expect(claim.source).toContain('local function now_ms()');
    expect(claim.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(new Set(Object.values(scripts).map((s) => s.sha)).size).toBe(SCRIPT_NAMES.length);
  });
});

describe('error mapping', () => {
  it('maps -1 to a bad-arguments script error naming the script and operation', () => {
    const error = scriptCodeError('claim-due-3', 'claimDue', -1);
    expect(error).toBeInstanceOf(RedisScriptError);
    expect(error.code).toBe('XCORE_ERR_REDIS_SCRIPT');
    expect(error.scriptCode).toBe(-1);
    expect(error.message).toContain('claim-due-3.lua returned -1, bad arguments');
    expect(scriptCodeError('commit-2', 'commit', -9).message).toContain('unknown error code');
  });

  it('maps error replies to XCORE_ERR_REDIS_COMMAND and connection trouble to XCORE_ERR_REDIS_UNAVAILABLE', () => {
    const reply = (message: string): Error => Object.assign(new Error(message), { name: 'ReplyError' });
    const oom = toStoreError('commit', reply("OOM command not allowed when used memory > 'maxmemory'."));
    expect(oom).toBeInstanceOf(RedisCommandError);
    expect(oom.message).toContain('RedisStore.commit: Redis replied with an error: OOM');
    expect((oom as RedisCommandError).cause).toBeInstanceOf(Error);
    for (const transient of ['CLUSTERDOWN The cluster is down', 'LOADING Redis is loading the dataset in memory', 'TRYAGAIN x']) {
      expect(toStoreError('claimDue', reply(transient))).toBeInstanceOf(RedisUnavailableError);
    }
    const lost = toStoreError('now', new Error('Connection is closed.'));
    expect(lost).toBeInstanceOf(RedisUnavailableError);
    expect(lost.message).toContain('RedisStore.now: Redis is not reachable or did not answer (Connection is closed.)');
    const wrongType = toStoreError('commit', reply('XCORE_WRONGTYPE zset string "{app}:slots \\"x\\"" script: 5f76, on @user_script:1.'));
    expect(wrongType).toBeInstanceOf(RedisKeyTypeError);
    expect(wrongType).toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: '{app}:slots "x"' });
    expect(wrongType.message).toContain('RedisStore.commit: key "{app}:slots "x"" holds a string where the store keeps a sorted set');
    const coded = new RedisScriptError('x', -1);
    expect(toStoreError('now', coded)).toBe(coded);
  });
});
