--[[
  Resumes a paused schedule with a next run computed by the caller, cancelling any outstanding
  claim. On a schedule that is not paused nothing changes (a duplicate resume never moves a
  running schedule's next run).
  KEYS[1]  {p}:due
  ARGV[1]  `{p}:s:`   ARGV[2]  channel   ARGV[3]  hint source   ARGV[4]  id
  ARGV[5]  next run (epoch ms, '' = none)
  Returns  1 resumed (or not paused), 0 missing
           error XCORE_WRONGTYPE (see check_type) before any write when a key holds another type
]]
local key = ARGV[1] .. ARGV[4]
check_type(key, 'hash')
check_type(KEYS[1], 'zset')
if redis.call('EXISTS', key) == 0 then return 0 end
if redis.call('HGET', key, 'paused') == '1' then
  redis.call('HSET', key, 'paused', '0', 'next', ARGV[5], 'cowner', '', 'lease', '', 'updated', s(now_ms()))
  place_due(KEYS[1], key, ARGV[4])
end
hint(ARGV[2], ARGV[3], 'resume', ARGV[4])
return 1
