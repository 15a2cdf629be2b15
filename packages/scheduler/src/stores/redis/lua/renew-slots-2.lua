--[[
  Extends the leases of an owner's run slots to now + lease (and clears a reaper's suspicion).
  KEYS[1]  {p}:slots   KEYS[2]  {p}:slot-data
  ARGV[1]  `{p}:js:`   ARGV[2]  owner   ARGV[3]  lease ms (>= 1)
  ARGV[4..] pairs: job id, run id
  Returns  {runId, ...} the run ids the owner still holds (a reaped or foreign slot is left out)
           -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) before any write when {p}:slots or
           {p}:slot-data holds another type (a job's slot set of another type is skipped)
]]
local leaseMs = tonumber(ARGV[3])
if (not leaseMs) or leaseMs < 1 then return -1 end
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'hash')
local leaseUntil = s(now_ms() + leaseMs)
local held = {}
for i = 4, #ARGV, 2 do
  local member = slot_member(ARGV[i], ARGV[i + 1])
  local data = redis.call('HGET', KEYS[2], member)
  if data then
    local slot = cjson.decode(data)
    if slot.owner == ARGV[2] then
      -- XX: an in-flight slot not counted yet stays uncounted.
      redis.pcall('ZADD', ARGV[1] .. ARGV[i], 'XX', leaseUntil, ARGV[i + 1])
      redis.call('ZADD', KEYS[1], leaseUntil, member)
      if slot.suspect then redis.call('HSET', KEYS[2], member, unsuspect(data)) end
      held[#held + 1] = ARGV[i + 1]
    end
  end
end
return held
