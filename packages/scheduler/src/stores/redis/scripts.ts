/**
 * The store's Lua scripts: loading them from `lua/`, running them with `EVALSHA` (reloading after
 * `NOSCRIPT`), and mapping their negative return codes and Redis failures to coded errors.
 *
 * @remarks
 * Scripts are files named `<command>-<numKeys>.lua` (BullMQ style) beside this module in `lua/`;
 * the build copies them to `dist/lua/`, so `new URL('./lua/', import.meta.url)` finds them both
 * from `src` (tests) and from the bundled `dist/index.js`. Every script is prefixed with the
 * generated `SCHEDULE_FIELDS` table and `_prelude.lua` (shared helpers).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { RedisCommandError, RedisKeyTypeError, RedisScriptError, RedisUnavailableError } from '../../errors.js';
import { SCHEDULE_FIELDS } from './keys.js';

/** Names of the store's scripts (file name without `.lua`; the suffix is the number of KEYS). */
export const SCRIPT_NAMES = [
  'time-1', 'upsert-4', 'restore-4', 'remove-2', 'list-1', 'pause-1', 'resume-1', 'set-next-run-1', 'claim-due-3',
  'commit-2', 'release-2', 'acquire-slot-2', 'renew-slots-2', 'release-slot-2', 'reap-slots-2', 'record-run-2',
  'finish-runs-2', 'list-page-2', 'count-page-2', 'request-run-1', 'pending-runs-1', 'take-run-1', 'finish-run-1',
  'announce-1', 'processes-1', 'leave-1',
] as const;

/** One of {@link SCRIPT_NAMES}. */
export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** A loaded script: full source (prelude included) and its SHA1 for `EVALSHA`. */
export interface LuaScript {
  readonly name: ScriptName;
  readonly numberOfKeys: number;
  readonly source: string;
  readonly sha: string;
}

/** Either client kind the store runs on. */
export type RedisClient = Redis | Cluster;

let cache: Readonly<Record<ScriptName, LuaScript>> | undefined;

/** Directory holding the `.lua` files, next to this module in `src` and in `dist`. */
const LUA_DIR = new URL('./lua/', import.meta.url);

/**
 * Loads every script once per process (synchronously, at first store construction).
 *
 * @throws {@link RedisScriptError} when a `.lua` file is missing (a broken build).
 */
export function loadScripts(): Readonly<Record<ScriptName, LuaScript>> {
  if (cache) return cache;
  const read = (file: string): string => {
    try {
      return readFileSync(new URL(file, LUA_DIR), 'utf8');
    } catch (error) {
      throw new RedisScriptError(
        `RedisStore cannot read its Lua script ${new URL(file, LUA_DIR).pathname}; the package build must copy ` +
          'src/stores/redis/lua/*.lua to dist/lua/ (see tsup.config.ts). Rebuild @xcore/scheduler.',
        undefined,
        { cause: error },
      );
    }
  };
  const fields = `local SCHEDULE_FIELDS = {${SCHEDULE_FIELDS.map((f) => `'${f}'`).join(', ')}}\n`;
  const prelude = fields + read('_prelude.lua');
  const entries = SCRIPT_NAMES.map((name): [ScriptName, LuaScript] => {
    const source = `${prelude}\n-- ${name}.lua\n${read(`${name}.lua`)}`;
    const numberOfKeys = Number(name.slice(name.lastIndexOf('-') + 1));
    return [name, { name, numberOfKeys, source, sha: createHash('sha1').update(source).digest('hex') }];
  });
  cache = Object.fromEntries(entries) as Record<ScriptName, LuaScript>;
  return cache;
}

/**
 * Runs `script` with `EVALSHA`; after a `NOSCRIPT` reply (script cache flushed, Redis restarted,
 * failover to a node that never saw it) runs it once with `EVAL`, which also caches it again.
 *
 * @remarks Rejects with a coded error (see {@link toStoreError}); never throws synchronously.
 */
export async function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
  operation: string,
): Promise<unknown> {
  if (keys.length !== script.numberOfKeys) {
    throw new RedisScriptError(`${script.name}.lua expects ${script.numberOfKeys} keys, ${operation} passed ${keys.length}; this is a bug in RedisStore.`);
  }
  let reply: unknown;
  try {
    try {
      reply = await client.evalsha(script.sha, script.numberOfKeys, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      reply = await client.eval(script.source, script.numberOfKeys, ...keys, ...args);
    }
  } catch (error) {
    throw toStoreError(operation, error);
  }
  if (typeof reply === 'number' && reply < 0) throw scriptCodeError(script.name, operation, reply);
  return reply;
}

/**
 * Maps a script's negative return code to its coded error: the one place codes are interpreted.
 *
 * @remarks Codes: `-1` bad arguments (a caller bug: non-numeric or below-minimum lease, limit,
 * max or counts). Any other negative code is unknown and reported as such.
 */
export function scriptCodeError(script: ScriptName, operation: string, code: number): RedisScriptError {
  const meaning = code === -1 ? 'bad arguments (a lease, limit, max or count is not a number >= 1)' : 'an unknown error code';
  return new RedisScriptError(`RedisStore.${operation}: ${script}.lua returned ${code}, ${meaning}. This is a bug in the caller or in RedisStore.`, code);
}

/** Redis replies that mean "not available right now" rather than "this command is wrong". */
const TRANSIENT_REPLY = /^(CLUSTERDOWN|LOADING|TRYAGAIN|MASTERDOWN|BUSY)\b/;

/** The error a script raises with `check_type` (`_prelude.lua`): expected type, found type, key as JSON. */
const WRONG_TYPE_REPLY = /^XCORE_WRONGTYPE (\S+) (\S+) ("(?:[^"\\]|\\.)*")/;

/** Redis's names of key types, as a reader says them. */
const TYPE_NAMES: Readonly<Record<string, string>> = { hash: 'a hash', zset: 'a sorted set', list: 'a list', string: 'a string', set: 'a set', stream: 'a stream' };

/**
 * The coded error for `key` holding `found` (another type, when unknown) where the store writes
 * `expected` (Redis type names), found by `operation`.
 */
export function keyTypeError(operation: string, key: string, expected: string, found?: string): RedisKeyTypeError {
  const name = (type: string): string => TYPE_NAMES[type] ?? type;
  return new RedisKeyTypeError(
    `RedisStore.${operation}: key "${key}" holds ${found === undefined ? 'another type than' : `${name(found)} where`} the store keeps ` +
      `${name(expected)}; something other than xcore wrote it under this prefix, and the store changed nothing with it. ` +
      `Delete the key (DEL ${key}) or give xcore a prefix of its own.`,
    key,
  );
}

/**
 * Maps any failure of a Redis call to a coded error: {@link RedisKeyTypeError} for a key a script
 * found holding the wrong type (`check_type`), {@link RedisUnavailableError} for connection loss,
 * timeouts and transient replies; {@link RedisCommandError} for other error replies.
 */
export function toStoreError(operation: string, error: unknown): Error {
  if (error instanceof RedisScriptError || error instanceof RedisUnavailableError || error instanceof RedisCommandError || error instanceof RedisKeyTypeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const isReply = error instanceof Error && error.name === 'ReplyError';
  const wrongType = isReply ? WRONG_TYPE_REPLY.exec(message) : null;
  if (wrongType !== null) return keyTypeError(operation, JSON.parse(wrongType[3] as string) as string, wrongType[1] as string, wrongType[2] as string);
  if (isReply && !TRANSIENT_REPLY.test(message)) {
    return new RedisCommandError(`RedisStore.${operation}: Redis replied with an error: ${message}`, { cause: error });
  }
  return new RedisUnavailableError(
    `RedisStore.${operation}: Redis is not reachable or did not answer (${message}). The call was not confirmed; ` +
      'retry once Redis is back (the scheduler does this with backoff).',
    { cause: error },
  );
}
