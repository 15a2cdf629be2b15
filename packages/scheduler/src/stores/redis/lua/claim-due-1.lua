--[[
  Claims up to `limit` due schedules for one owner, each with a fresh fencing token and a lease.
  KEYS[1]  {p}:due
  ARGV[1]  `{p}:s:`   ARGV[2]  owner   ARGV[3]  lease ms (>= 1)   ARGV[4]  limit (>= 1)
  ARGV[5..] ids never to claim (no handler in this process)
  Returns  {now, {id, token, leaseUntil, fields}, ...}   (fields in SCHEDULE_FIELDS order)
           -1 bad arguments
  Due means: in the due set (unpaused, with a next run) with score <= now; the score is the next
  run, or the lease expiry while claimed, so a live claim is never handed out twice. Claiming
  bumps the token, so the previous holder of a lapsed lease can no longer commit.
]]
local leaseMs, limit = tonumber(ARGV[3]), tonumber(ARGV[4])
if (not leaseMs) or leaseMs < 1 or (not limit) or limit < 1 then return -1 end
local now = now_ms()
local excluded, nExcluded = {}, 0
for i = 5, #ARGV do
  excluded[ARGV[i]] = true
  nExcluded = nExcluded + 1
end
-- At most nExcluded candidates are skipped, so limit + nExcluded candidates always suffice.
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', s(now), 'LIMIT', 0, limit + nExcluded)
local leaseUntil = now + leaseMs
local out = {now}
local count = 0
for _, id in ipairs(ids) do
  if count >= limit then break end
  if not excluded[id] then
    local key = ARGV[1] .. id
    if redis.call('EXISTS', key) == 0 then
      redis.call('ZREM', KEYS[1], id)
    else
      local token = redis.call('HINCRBY', key, 'token', 1)
      redis.call('HSET', key, 'cowner', ARGV[2], 'lease', s(leaseUntil))
      redis.call('ZADD', KEYS[1], s(leaseUntil), id)
      count = count + 1
      out[#out + 1] = {id, token, leaseUntil, read_schedule(key)}
    end
  end
end
return out
