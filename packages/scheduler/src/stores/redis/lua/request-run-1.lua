--[[
  Records a run request (Store.requestRun); exactly one process takes it with take-run-1.
  KEYS[1]  {p}:rq (pending request ids, scored by a request counter kept at {p}:rq-seq: oldest first)
  ARGV[1]  `{p}:r:`   ARGV[2]  request id   ARGV[3]  job id   ARGV[4]  args JSON ('' = the job's)
  ARGV[5]  requested by   ARGV[6]  ttl ms (>= 1)   ARGV[7]  retention ms   ARGV[8]  channel
  ARGV[9]  hint source
  Returns  {requestedAt, expiresAt}
           -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) before any write when {p}:rq or {p}:rq-seq holds
           another type (the request's own hash is replaced whatever it held)
]]
local ttl, keep = tonumber(ARGV[6]), tonumber(ARGV[7])
if not ttl or ttl < 1 or not keep or keep < 1 then return -1 end
check_type(KEYS[1], 'zset')
check_type(KEYS[1] .. '-seq', 'string')
local now = now_ms()
local key = ARGV[1] .. ARGV[2]
redis.call('DEL', key)
redis.call('HSET', key, 'job', ARGV[3], 'args', ARGV[4], 'by', ARGV[5], 'at', s(now), 'exp', s(now + ttl), 'status', 'pending')
redis.call('PEXPIRE', key, s(ttl + keep))
redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[1] .. '-seq'), ARGV[2])
hint(ARGV[8], ARGV[9], 'run-request', ARGV[3])
return {s(now), s(now + ttl)}
