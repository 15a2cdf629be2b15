--[[
  Sets a schedule's next run (modify / reschedule), cancelling any outstanding claim so a commit
  planned from the old next run cannot overwrite it; pause state is kept.
  KEYS[1]  {p}:due
  ARGV[1]  `{p}:s:`   ARGV[2]  channel   ARGV[3]  hint source   ARGV[4]  id
  ARGV[5]  next run (epoch ms, '' = none)
  Returns  1 set, 0 missing
           error XCORE_WRONGTYPE (see check_type) before any write when a key holds another type
]]
local key = ARGV[1] .. ARGV[4]
check_type(key, 'hash')
check_type(KEYS[1], 'zset')
if redis.call('EXISTS', key) == 0 then return 0 end
redis.call('HSET', key, 'next', ARGV[5], 'cowner', '', 'lease', '', 'updated', s(now_ms()))
place_due(KEYS[1], key, ARGV[4])
hint(ARGV[2], ARGV[3], 'reschedule', ARGV[4])
return 1
