--[[
  Extends the leases of an owner's run slots to now + lease.
  KEYS[1]  {p}:slots   KEYS[2]  {p}:slot-data
  ARGV[1]  `{p}:js:`   ARGV[2]  owner   ARGV[3]  lease ms (>= 1)
  ARGV[4..] triples: job id, run id, slot member
  Returns  {runId, ...} the run ids the owner still holds (a reaped or foreign slot is left out)
           -1 bad arguments
]]
local leaseMs = tonumber(ARGV[3])
if (not leaseMs) or leaseMs < 1 then return -1 end
local leaseUntil = s(now_ms() + leaseMs)
local held = {}
for i = 4, #ARGV, 3 do
  local data = redis.call('HGET', KEYS[2], ARGV[i + 2])
  if data and cjson.decode(data).owner == ARGV[2] then
    redis.call('ZADD', ARGV[1] .. ARGV[i], leaseUntil, ARGV[i + 1])
    redis.call('ZADD', KEYS[1], leaseUntil, ARGV[i + 2])
    held[#held + 1] = ARGV[i + 1]
  end
end
return held
