--[[
  Takes a pending run request for one process, atomically (Store.takeRunRequest): of processes
  racing for it, exactly one gets it.
  KEYS[1]  {p}:rq
  ARGV[1]  `{p}:r:`   ARGV[2]  request id   ARGV[3]  owner (the taking process)   ARGV[4]  retention ms
  Returns  {job, args, by, at, exp} when taken (it is `running` now, taken by the owner)
           0 when it was not pending (taken, finished, unknown) or had expired (now `expired`)
           error XCORE_WRONGTYPE (see check_type) before any write when a key holds another type
]]
check_type(KEYS[1], 'zset')
check_type(ARGV[1] .. ARGV[2], 'hash')
if redis.call('ZREM', KEYS[1], ARGV[2]) == 0 then return 0 end
local key = ARGV[1] .. ARGV[2]
local f = redis.call('HMGET', key, 'job', 'args', 'by', 'at', 'exp', 'status')
if not f[1] or f[6] ~= 'pending' then return 0 end
local now = now_ms()
if tonumber(f[5]) <= now then
  redis.call('HSET', key, 'status', 'expired')
  redis.call('PEXPIRE', key, ARGV[4])
  return 0
end
redis.call('HSET', key, 'status', 'running', 'owner', ARGV[3], 'taken', s(now))
return {f[1], f[2], f[3], f[4], f[5]}
