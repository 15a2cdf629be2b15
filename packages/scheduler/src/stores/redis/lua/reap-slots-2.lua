--[[
  Removes and returns run slots whose lease expired (their process died), oldest first.
  KEYS[1]  {p}:slots   KEYS[2]  {p}:slot-data
  ARGV[1]  `{p}:js:`   ARGV[2]  limit (>= 1)
  Returns  {slot JSON, leaseUntil, slot JSON, leaseUntil, ...}
           -1 bad arguments
]]
local limit = tonumber(ARGV[2])
if (not limit) or limit < 1 then return -1 end
local now = now_ms()
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', s(now), 'WITHSCORES', 'LIMIT', 0, limit)
local out = {}
for i = 1, #members, 2 do
  local member = members[i]
  local data = redis.call('HGET', KEYS[2], member)
  redis.call('ZREM', KEYS[1], member)
  redis.call('HDEL', KEYS[2], member)
  if data then
    local slot = cjson.decode(data)
    redis.call('ZREM', ARGV[1] .. slot.jobId, slot.runId)
    out[#out + 1] = data
    out[#out + 1] = members[i + 1]
  end
end
return out
