--[[
  Takes a run slot when the job holds fewer than `max` unexpired slots (maxInstances across
  processes). Taking a slot this run already holds succeeds again and replaces it.
  KEYS[1]  {p}:slots   KEYS[2]  {p}:slot-data
  ARGV[1]  `{p}:js:`   ARGV[2]  job id   ARGV[3]  run id   ARGV[4]  slot member
  ARGV[5]  slot JSON   ARGV[6]  lease until (epoch ms)    ARGV[7]  max (>= 0)
  Returns  1 taken, 0 full, -1 bad arguments
]]
local max = tonumber(ARGV[7])
if (not max) or max < 0 or not tonumber(ARGV[6]) then return -1 end
local js = ARGV[1] .. ARGV[2]
if not redis.call('ZSCORE', js, ARGV[3]) then
  local now = now_ms()
  if redis.call('ZCOUNT', js, '(' .. s(now), '+inf') >= max then return 0 end
end
redis.call('ZADD', js, ARGV[6], ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[6], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
return 1
