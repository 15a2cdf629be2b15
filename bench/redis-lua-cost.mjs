#!/usr/bin/env node
/**
 * What each step of a commit ahead costs Redis, alone: each body below runs 5,000 times inside one
 * `EVAL` (on schedule hashes shaped like the store's), and the Redis CPU it takes (`INFO cpu`,
 * least of 3 rounds) less an empty loop's is printed per iteration. It prices the parts of
 * `claim-due-3.lua`'s per-schedule work (the reads and writes it makes, the plan's parsing, the
 * slot JSON) so that a change to the scripts can be aimed at the costly ones.
 *
 *   node bench/redis-lua-cost.mjs
 */
import { startRedis } from './lib/redis-server.mjs';

const N = 5000;
const occurrences = Array.from({ length: 12 }, (_, k) => 1765100001000 + k * 1000);
// The `ahead` field before (the rest of the plan, rewritten by each commit ahead) and after
// (the whole list, left in place) the change of 2026-12-07.
const planRest = `abcdef0123456789/1765100000000/5000/1//${occurrences.join(',')}`;
const planList = `2/abcdef0123456789/5000/1//,1765100000000,${occurrences.join(',')},`;
const last = JSON.stringify({ jobId: 'job-123', scheduledAt: 1765100000000, startedAt: 1765100000003, finishedAt: 1765100000004, status: 'succeeded', attempts: 1, owner: 'bench-owner-abcdef' });

const bodies = {
  'empty loop': '',
  'HMGET 11 fields': `local f = redis.call('HMGET', key, 'hash','next','paused','runs','anchor','created','updated','token','last','fired','ahead')`,
  'HMGET 7 fields': `local f = redis.call('HMGET', key, 'hash','next','paused','runs','token','fired','ahead')`,
  'HMGET 2 fields': `local f = redis.call('HMGET', key, 'hash','next')`,
  'HSET 7 pairs (ahead)': `redis.call('HSET', key, 'token', '13', 'next', '1765100001000', 'fired', '1765100000000', 'runs', '6', 'cowner', '', 'lease', '', 'ahead', PLAN_REST)`,
  'HSET 6 pairs': `redis.call('HSET', key, 'token', '13', 'next', '1765100001000', 'fired', '1765100000000', 'runs', '6', 'cowner', '', 'lease', '')`,
  'ZCOUNT job slots': `local n = redis.pcall('ZCOUNT', 'js:' .. i, '(1765100000000', '+inf')`,
  'ZADD job slots': `redis.call('ZADD', 'js:' .. i, '1765100030000', '1765100000000@bench-owner-abcdef')`,
  'plan: match, rewrite': `local hash, first, grace, max, catchUp, list = string.match(PLAN_REST, '^([^/]*)/([^/]*)/([^/]*)/([^/]*)/([^/]*)/(.*)$')
    local nextRun, rest = string.match(list, '^([^,]*),?(.*)$')
    local following = hash .. '/' .. nextRun .. '/' .. grace .. '/' .. max .. '/' .. catchUp .. '/' .. rest`,
  'plan: find in place': `local hash, grace, max, catchUp, listFrom = string.match(PLAN_LIST, '^2/([^/]*)/([^/]*)/([^/]*)/([^/]*)/()')
    local _, p = string.find(PLAN_LIST, ',' .. '1765100000000' .. ',', listFrom, true)
    local nextRun, q = string.match(PLAN_LIST, '^(%d+),()', p + 1)`,
  'slot JSON': `local id = 'job-' .. i
    local runId = '1765100000000@bench-owner-abcdef'
    local j = '{"jobId":"' .. id .. '","runId":"' .. runId .. '","scheduledAt":1765100000000,"owner":"bench-owner-abcdef","leaseMs":30000,"token":"13"}'`,
  'number to string': `local t = tostring(tonumber('12') + 1) local u = tonumber('1765100000000')`,
  'key concat': `local k2 = 's:' .. 'job-' .. i`,
};

const redis = await startRedis();
try {
  const c = redis.client;
  for (let i = 0; i < N; i++) {
    await c.hset(`s:job-${i}`, 'def', 'x'.repeat(300), 'hash', 'abcdef0123456789', 'next', '1765100000000', 'paused', '0', 'runs', '5', 'anchor', '0',
      'created', '1765000000000', 'updated', '1765000000000', 'last', last, 'token', '12', 'cowner', '', 'lease', '', 'fired', '1765099999000', 'ahead', planRest);
  }
  const cpu = async () => {
    const info = await c.info('cpu');
    return (Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1])) * 1e6;
  };
  const least = {};
  for (let round = 0; round < 3; round++) {
    for (const [name, body] of Object.entries(bodies)) {
      const script = `local PLAN_REST, PLAN_LIST = ARGV[1], ARGV[2] for i = 0, ${N - 1} do local key = 's:job-' .. i ${body} end return 1`;
      await c.eval(script, 0, planRest, planList); // loads the script (and does the writes once)
      const before = await cpu();
      await c.eval(script, 0, planRest, planList);
      const used = ((await cpu()) - before) / N;
      least[name] = Math.min(least[name] ?? Infinity, used);
    }
  }
  const base = least['empty loop'];
  console.log(`Redis CPU µs per iteration, less an empty loop's (${base.toFixed(3)}), least of 3 rounds of ${N}:`);
  for (const [name, us] of Object.entries(least)) if (name !== 'empty loop') console.log(`${name.padEnd(22)} ${(us - base).toFixed(2).padStart(6)}`);
} finally {
  await redis.stop();
}
