--[[
  Puts back schedules the namespace lost (a Redis restarted without persistence, a flush, an
  evicted key): creates, as upsert does, each given schedule that does not exist, and leaves
  every existing one untouched (whatever its definition).
  KEYS[1]  {p}:all    KEYS[2]  {p}:due    KEYS[3]  {p}:seq    KEYS[4]  {p}:gen
  ARGV[1]  schedule hash prefix `{p}:s:`      ARGV[2]  change channel    ARGV[3]  hint source id
  ARGV[4..] septuples: id, owner, definition JSON, definition hash, next run ('' = none),
           anchor, trigger type
  Each schedule created is also indexed in {p}:ids (create_schedule, see ids_key).
  Returns  {generation, created id, ...}: the namespace's generation (written when missing) and
           the ids created, in argument order
           -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) before any write when a shared key holds another
           type; a schedule key of another type is left alone (not created, not reported)
]]
if (#ARGV - 3) % 7 ~= 0 then return -1 end
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'zset')
check_type(KEYS[3], 'string')
check_type(KEYS[4], 'string')
check_type(ids_key(KEYS[1]), 'zset')
local now = now_ms()
local out = {ensure_generation(KEYS[4])}
for i = 4, #ARGV, 7 do
  local id = ARGV[i]
  local key = ARGV[1] .. id
  if redis.call('EXISTS', key) == 0 then
    create_schedule(KEYS[1], KEYS[2], KEYS[3], key, id, ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], now)
    place_due(KEYS[2], key, id)
    out[#out + 1] = id
  end
end
if #out > 1 then hint(ARGV[2], ARGV[3], 'upsert', #out == 2 and out[2] or nil) end
return out
