--[[
  Takes a run slot when the job holds fewer than `max` unexpired counted slots (maxInstances
  across processes). Taking a slot this run already holds (counted) succeeds again and replaces
  it; an in-flight slot a commit recorded without counting it (same run id) is counted now.
  KEYS[1]  {p}:slots   KEYS[2]  {p}:slot-data
  ARGV[1]  `{p}:js:`   ARGV[2]  job id   ARGV[3]  run id   ARGV[4]  scheduledAt   ARGV[5]  owner
  ARGV[6]  lease until (epoch ms)    ARGV[7]  max (>= 0)
  Returns  1 taken, 0 full, -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) before any write when a key holds another type
]]
local max, leaseUntil = tonumber(ARGV[7]), tonumber(ARGV[6])
if (not max) or max < 0 or not leaseUntil then return -1 end
local js = ARGV[1] .. ARGV[2]
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'hash')
check_type(js, 'zset')
local now = now_ms()
if not redis.call('ZSCORE', js, ARGV[3]) then
  if redis.call('ZCOUNT', js, '(' .. s(now), '+inf') >= max then return 0 end
end
local member = slot_member(ARGV[2], ARGV[3])
local leaseMs = leaseUntil - now
if leaseMs < 1 then leaseMs = 1 end
redis.call('ZADD', js, ARGV[6], ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[6], member)
redis.call('HSET', KEYS[2], member, slot_json(ARGV[2], ARGV[3], ARGV[4], ARGV[5], leaseMs))
return 1
