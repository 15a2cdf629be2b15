--[[
  Idempotent register of a schedule definition.
  KEYS[1]  {p}:all    KEYS[2]  {p}:due    KEYS[3]  {p}:seq
  ARGV[1]  schedule hash prefix `{p}:s:`      ARGV[2]  change channel    ARGV[3]  hint source id
  ARGV[4]  id       ARGV[5]  owner     ARGV[6]  definition JSON    ARGV[7]  definition hash
  ARGV[8]  next run (epoch ms, '' = none)     ARGV[9]  anchor (epoch ms)
  ARGV[10] '1' = replace a schedule of another owner     ARGV[11] trigger type
  Returns  {'created' | 'updated' | 'unchanged', fields}  (fields in SCHEDULE_FIELDS order)
           {'conflict', existingOwner}
  Semantics (as MemoryStore): new -> state from ARGV, token 0; same hash -> nothing changes;
  changed hash -> new definition and next run; pause state, run count and history kept; anchor
  kept unless the trigger type changed; an outstanding claim is cancelled (its commit is stale).
]]
local key = ARGV[1] .. ARGV[4]
local id, owner = ARGV[4], ARGV[5]
local now = now_ms()
if redis.call('EXISTS', key) == 0 then
  local seq = redis.call('INCR', KEYS[3])
  redis.call('HSET', key, 'def', ARGV[6], 'owner', owner, 'hash', ARGV[7], 'next', ARGV[8], 'paused', '0',
    'runs', '0', 'anchor', ARGV[9], 'ttype', ARGV[11], 'created', s(now), 'updated', s(now), 'last', '', 'token', '0',
    'cowner', '', 'lease', '')
  redis.call('ZADD', KEYS[1], seq, id)
  place_due(KEYS[2], key, id)
  hint(ARGV[2], ARGV[3], 'upsert', id)
  return {'created', read_schedule(key)}
end
local current = redis.call('HMGET', key, 'owner', 'hash', 'ttype')
if current[2] == ARGV[7] then
  return {'unchanged', read_schedule(key)}
end
if current[1] ~= owner and ARGV[10] ~= '1' then
  return {'conflict', current[1]}
end
redis.call('HSET', key, 'def', ARGV[6], 'owner', owner, 'hash', ARGV[7], 'next', ARGV[8], 'updated', s(now),
  'cowner', '', 'lease', '', 'ttype', ARGV[11])
if current[3] ~= ARGV[11] then redis.call('HSET', key, 'anchor', ARGV[9]) end
place_due(KEYS[2], key, id)
hint(ARGV[2], ARGV[3], 'upsert', id)
return {'updated', read_schedule(key)}
