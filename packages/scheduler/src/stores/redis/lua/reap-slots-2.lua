--[[
  Reaps run slots whose process died, in two passes: an expired slot seen for the first time is
  marked suspect and its lease extended by its own length (it keeps counting); an expired slot
  already suspect is removed and returned. A live owner cut off from Redis (a restart) thus has
  one full lease after Redis is back to renew or free it, so a finished run is never recovered.
  KEYS[1]  {p}:slots   KEYS[2]  {p}:slot-data
  ARGV[1]  `{p}:js:`   ARGV[2]  limit (>= 1)
  Returns  {slot JSON, leaseUntil, slot JSON, leaseUntil, ...} (reaped slots, oldest first)
           -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) before any write when {p}:slots or
           {p}:slot-data holds another type (a job's slot set of another type is skipped)
]]
local limit = tonumber(ARGV[2])
if (not limit) or limit < 1 then return -1 end
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'hash')
local now = now_ms()
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', s(now), 'WITHSCORES', 'LIMIT', 0, limit)
local out = {}
for i = 1, #members, 2 do
  local member = members[i]
  local data = redis.call('HGET', KEYS[2], member)
  if not data then
    redis.call('ZREM', KEYS[1], member)
  else
    local slot = cjson.decode(data)
    local js = ARGV[1] .. slot.jobId
    if slot.suspect then
      redis.call('ZREM', KEYS[1], member)
      redis.call('HDEL', KEYS[2], member)
      redis.pcall('ZREM', js, slot.runId)
      out[#out + 1] = slot_json(slot.jobId, slot.runId, s(slot.scheduledAt), slot.owner, slot.leaseMs or 30000)
      out[#out + 1] = members[i + 1]
    else
      local grace = tonumber(slot.leaseMs) or 30000
      local untilMs = s(now + grace)
      redis.pcall('ZADD', js, 'XX', untilMs, slot.runId)
      redis.call('ZADD', KEYS[1], untilMs, member)
      redis.call('HSET', KEYS[2], member, string.sub(data, 1, -2) .. SUSPECT)
    end
  end
end
return out
