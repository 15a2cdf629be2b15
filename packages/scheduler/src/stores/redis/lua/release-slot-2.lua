--[[
  Frees a run slot.
  KEYS[1]  {p}:slots   KEYS[2]  {p}:slot-data
  ARGV[1]  `{p}:js:`   ARGV[2]  job id   ARGV[3]  run id   ARGV[4]  slot member
  ARGV[5]  channel     ARGV[6]  hint source
  Returns  1 freed, 0 not held
]]
local js = ARGV[1] .. ARGV[2]
local freed = redis.call('ZREM', js, ARGV[3])
redis.call('ZREM', KEYS[1], ARGV[4])
redis.call('HDEL', KEYS[2], ARGV[4])
if freed == 1 then hint(ARGV[5], ARGV[6], 'release', ARGV[2]) end
return freed
