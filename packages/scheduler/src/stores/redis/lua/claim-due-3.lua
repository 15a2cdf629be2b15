--[[
  Claims up to `limit` due schedules for one owner, each with a fresh fencing token and a lease.
  KEYS[1]  {p}:due
  ARGV[1]  `{p}:s:`   ARGV[2]  owner   ARGV[3]  lease ms (>= 1)   ARGV[4]  limit (>= 1)
  ARGV[5..] ids never to claim (no handler in this process)
  Returns  {now, wakeup, {id, fields}, ...}   (fields in SCHEDULE_FIELDS order, after the claim:
           token, cowner and lease are the new claim's; wakeup is the earliest score left in the
           due set after the claims, excluded ids skipped, as a string, '' when none: the next
           wakeup, so the caller needs no TIME or ZRANGE call of its own)
           -1 bad arguments
  Due means: in the due set (unpaused, with a next run) with score <= now; the score is the next
  run, or the lease end while claimed, so a live claim is never handed out twice and claims come
  earliest first. Claiming bumps the token, so the previous holder of a lapsed lease can no
  longer commit. Cost per claim: HMGET + HSET, and one ZADD for the whole batch; the wakeup costs
  one ZRANGE of at most (excluded ids + 1) members.
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
local leaseUntil = s(now + leaseMs)
local out = {now, ''}
local rescored = {}
local gone = {}
for _, id in ipairs(ids) do
  if #out > limit + 1 then break end
  if not excluded[id] then
    local key = ARGV[1] .. id
    local f = read_schedule(key)
    if not f[1] then
      gone[#gone + 1] = id
    else
      local token = s(tonumber(f[10]) + 1)
      redis.call('HSET', key, 'token', token, 'cowner', ARGV[2], 'lease', leaseUntil)
      f[10], f[11], f[12] = token, ARGV[2], leaseUntil
      rescored[#rescored + 1] = leaseUntil
      rescored[#rescored + 1] = id
      out[#out + 1] = {id, f}
    end
  end
end
if #rescored > 0 then redis.call('ZADD', KEYS[1], unpack(rescored)) end
if #gone > 0 then redis.call('ZREM', KEYS[1], unpack(gone)) end
-- At most nExcluded of the earliest members are skipped, so nExcluded + 1 members suffice.
local earliest = redis.call('ZRANGE', KEYS[1], 0, nExcluded, 'WITHSCORES')
for j = 1, #earliest, 2 do
  if not excluded[earliest[j]] then
    out[2] = earliest[j + 1]
    break
  end
end
return out
