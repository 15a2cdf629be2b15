--[[
  Frees a run slot (counted or only in flight).
  KEYS[1]  {p}:slots   KEYS[2]  {p}:slot-data
  ARGV[1]  `{p}:js:`   ARGV[2]  job id   ARGV[3]  run id   ARGV[4]  channel   ARGV[5]  hint source
  Returns  1 freed, 0 not held
           error XCORE_WRONGTYPE (see check_type) before any write when a key holds another type
]]
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'hash')
local freed = free_slot(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
if freed == 1 then hint(ARGV[4], ARGV[5], 'release', ARGV[2]) end
return freed
