--[[
  The exactly-once point: for each claimed schedule, checks the fencing token, records each
  occurrence (id, scheduledAt) once, advances the next run and releases the claim, atomically.
  KEYS[1]  {p}:due
  ARGV[1]  `{p}:s:`   ARGV[2]  `{p}:o:`   ARGV[3]  channel   ARGV[4]  hint source
  ARGV[5]  owner      ARGV[6]  occurrence retention ms   ARGV[7]  occurrences kept per schedule
  ARGV[8]  item count, then per item: id, token, next run ('' = none), fire count, fire times...
  Returns  {{'ok', accepted...} | {'stale'} | {'missing'}, ...} in item order
           -1 bad arguments
  An occurrence is accepted when it was not recorded before: records are a per-schedule sorted
  set (member and score = scheduledAt) trimmed to the retention window and the newest N, with a
  TTL, so memory stays bounded at any firing rate. The token check already refuses a stale
  owner; the records also refuse an occurrence that a modify or resume moved back in time.
]]
local retention, keep, n = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
if (not retention) or retention < 1 or (not keep) or keep < 1 or not n then return -1 end
local now = now_ms()
local out = {}
local i = 9
for item = 1, n do
  local id, token, nextRun, nFire = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  if not nFire then return -1 end
  local key = ARGV[1] .. id
  local f = redis.call('HMGET', key, 'token', 'cowner')
  if not f[1] then
    out[item] = {'missing'}
  elseif f[1] ~= token or f[2] ~= ARGV[5] then
    out[item] = {'stale'}
  else
    local okey = ARGV[2] .. id
    local result = {'ok'}
    for j = 1, nFire do
      local at = ARGV[i + 3 + j]
      if redis.call('ZADD', okey, 'NX', at, at) == 1 then result[#result + 1] = at end
    end
    if nFire > 0 then
      redis.call('ZREMRANGEBYSCORE', okey, '-inf', '(' .. s(now - retention))
      redis.call('ZREMRANGEBYRANK', okey, 0, -(keep + 1))
      redis.call('PEXPIRE', okey, retention)
    end
    redis.call('HINCRBY', key, 'runs', #result - 1)
    redis.call('HSET', key, 'next', nextRun, 'cowner', '', 'lease', '')
    place_due(KEYS[1], key, id)
    out[item] = result
  end
  i = i + 4 + nFire
end
if n > 0 then hint(ARGV[3], ARGV[4], 'commit', n == 1 and ARGV[9] or nil) end
return out
