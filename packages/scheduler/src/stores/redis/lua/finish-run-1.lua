--[[
  Marks a taken run request finished with its run's record (Store.finishRunRequest).
  KEYS[1]  {p}:rq
  ARGV[1]  `{p}:r:`   ARGV[2]  request id   ARGV[3]  record JSON   ARGV[4]  retention ms
  ARGV[5]  channel   ARGV[6]  hint source
  Returns  1 finished, 0 when it was not running
           error XCORE_WRONGTYPE (see check_type) before any write when a key holds another type
]]
local key = ARGV[1] .. ARGV[2]
check_type(KEYS[1], 'zset')
check_type(key, 'hash')
local f = redis.call('HMGET', key, 'status', 'job')
if f[1] ~= 'running' then return 0 end
redis.call('HSET', key, 'status', 'finished', 'record', ARGV[3])
redis.call('PEXPIRE', key, ARGV[4])
redis.call('ZREM', KEYS[1], ARGV[2])
hint(ARGV[5], ARGV[6], 'run-finished', f[2])
return 1
