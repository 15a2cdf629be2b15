--[[
  Pauses a schedule: it leaves the due set; its next run and any outstanding claim are kept.
  KEYS[1]  {p}:due
  ARGV[1]  `{p}:s:`   ARGV[2]  channel   ARGV[3]  hint source   ARGV[4]  id
  Returns  1 paused (or already paused), 0 missing
           error XCORE_WRONGTYPE (see check_type) before any write when a key holds another type
]]
local key = ARGV[1] .. ARGV[4]
check_type(key, 'hash')
check_type(KEYS[1], 'zset')
if redis.call('EXISTS', key) == 0 then return 0 end
if redis.call('HGET', key, 'paused') ~= '1' then
  redis.call('HSET', key, 'paused', '1', 'updated', s(now_ms()))
end
place_due(KEYS[1], key, ARGV[4])
hint(ARGV[2], ARGV[3], 'pause', ARGV[4])
return 1
