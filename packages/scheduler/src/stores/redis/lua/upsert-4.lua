--[[
  Idempotent register of a schedule definition.
  KEYS[1]  {p}:all    KEYS[2]  {p}:due    KEYS[3]  {p}:seq    KEYS[4]  {p}:gen
  ARGV[1]  schedule hash prefix `{p}:s:`      ARGV[2]  change channel    ARGV[3]  hint source id
  ARGV[4]  id       ARGV[5]  owner     ARGV[6]  definition JSON    ARGV[7]  definition hash
  ARGV[8]  next run (epoch ms, '' = none)     ARGV[9]  anchor (epoch ms)
  ARGV[10] '1' = replace a schedule of another owner     ARGV[11] trigger type
  Returns  {'created' | 'updated' | 'unchanged', fields}  (fields in SCHEDULE_FIELDS order)
           {'conflict', existingOwner}
           error XCORE_WRONGTYPE (see check_type) before any write when a key holds another type
  Creating a schedule also adds its id to {p}:ids (create_schedule, see ids_key).
  Semantics (as MemoryStore): new -> state from ARGV, token 0; same hash -> nothing changes;
  changed hash -> new definition and next run; pause state, run count and history kept; anchor
  kept unless the trigger type changed; an outstanding claim is cancelled (its commit is stale).
  Creating a schedule also writes the namespace's generation ({p}:gen) when there is none.
]]
local key = ARGV[1] .. ARGV[4]
local id, owner = ARGV[4], ARGV[5]
check_type(key, 'hash')
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'zset')
check_type(KEYS[3], 'string')
check_type(KEYS[4], 'string')
check_type(ids_key(KEYS[1]), 'zset')
local now = now_ms()
if redis.call('EXISTS', key) == 0 then
  create_schedule(KEYS[1], KEYS[2], KEYS[3], key, id, owner, ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[11], now)
  ensure_generation(KEYS[4])
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
