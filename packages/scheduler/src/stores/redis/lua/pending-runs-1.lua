--[[
  Pending, unexpired run requests, oldest first (Store.pendingRunRequests); marks the expired ones
  it finds `expired` and drops those whose hash is gone.
  KEYS[1]  {p}:rq
  ARGV[1]  `{p}:r:`   ARGV[2]  limit   ARGV[3]  retention ms
  Returns  {requestId, job, args, by, at, exp, ...} (six values per request)
           -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) before any write when {p}:rq holds another type;
           a request whose key holds another type is dropped from the pending set, as a gone one
  Examines at most 1,000 pending ids per call (older ones first).
]]
local limit, keep = tonumber(ARGV[2]), tonumber(ARGV[3])
if not limit or limit < 1 or not keep or keep < 1 then return -1 end
check_type(KEYS[1], 'zset')
local now = now_ms()
local out = {}
local n = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, 999)) do
  local key = ARGV[1] .. id
  local f = redis.pcall('HMGET', key, 'job', 'args', 'by', 'at', 'exp', 'status')
  if failed(f) or not f[1] or f[6] ~= 'pending' then
    redis.call('ZREM', KEYS[1], id)
  elseif tonumber(f[5]) <= now then
    redis.call('ZREM', KEYS[1], id)
    redis.call('HSET', key, 'status', 'expired')
    redis.call('PEXPIRE', key, s(keep))
  elseif n < limit then
    n = n + 1
    out[#out + 1] = id
    for i = 1, 5 do out[#out + 1] = f[i] end
  end
end
return out
