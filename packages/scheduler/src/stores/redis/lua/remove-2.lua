--[[
  Removes a schedule with its history (run slots of runs in progress stay until their runs
  release them or their leases are reaped).
  KEYS[1]  {p}:all    KEYS[2]  {p}:due
  ARGV[1]  `{p}:s:`   ARGV[2]  `{p}:h:`   ARGV[3]  channel   ARGV[4]  hint source   ARGV[5]  id
  Also takes the id out of {p}:ids (see ids_key).
  Returns  1 removed, 0 missing
           error XCORE_WRONGTYPE (see check_type) before any write when {p}:all, {p}:due or {p}:ids
           holds another type (the schedule's own keys are deleted whatever their type)
]]
local id = ARGV[5]
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'zset')
check_type(ids_key(KEYS[1]), 'zset')
local removed = redis.call('DEL', ARGV[1] .. id)
redis.call('DEL', ARGV[2] .. id)
redis.call('ZREM', KEYS[1], id)
redis.call('ZREM', ids_key(KEYS[1]), id)
redis.call('ZREM', KEYS[2], id)
if removed == 0 then return 0 end
hint(ARGV[3], ARGV[4], 'remove', id)
return 1
