--[[
  The exactly-once point: for each claimed schedule, checks the fencing token, records its
  occurrences once, advances the next run and releases the claim, atomically.
  KEYS[1]  {p}:due
  ARGV[1]  `{p}:s:`   ARGV[2]  channel   ARGV[3]  hint source   ARGV[4]  owner
  ARGV[5]  item count, then per item: id, token, next run ('' = none), fire count, fire times...
  Returns  {{'ok', accepted...} | {'stale'} | {'missing'}, ...} in item order
           -1 bad arguments
  A retry of the last commit of a schedule, identical (owner, token, next run, fire times), gets
  the first answer again instead of 'stale': a commit whose reply was lost with the connection
  can be re-sent without losing the occurrences it recorded.
  Occurrences are recorded as a per-schedule watermark (hash field `fired`, the latest accepted
  scheduledAt), exactly as MemoryStore does: an occurrence is accepted only when later than the
  watermark. Triggers and the misfire policy produce a schedule's occurrences in increasing
  order, so the watermark never lets a duplicate through, costs one field, and never expires
  (a record with a TTL would accept a replay after the TTL). An occurrence earlier than one
  already accepted (a caller moving the next run backwards past fired times) is refused.
]]
local n = tonumber(ARGV[5])
if not n then return -1 end
local out = {}
local i = 6
for item = 1, n do
  local id, token, nextRun, nFire = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  if not nFire then return -1 end
  local key = ARGV[1] .. id
  local f = redis.call('HMGET', key, 'token', 'cowner', 'fired', 'runs', 'paused', 'lcommit', 'lacc')
  local fingerprint = ARGV[4] .. '|' .. token .. '|' .. nextRun .. '|' .. table.concat(ARGV, ',', i + 4, i + 3 + nFire)
  if not f[1] then
    out[item] = {'missing'}
  elseif f[1] ~= token or f[2] ~= ARGV[4] then
    if f[6] == fingerprint then
      local replay = {'ok'}
      for at in string.gmatch(f[7] or '', '[^,]+') do replay[#replay + 1] = at end
      out[item] = replay
    else
      out[item] = {'stale'}
    end
  else
    local result = {'ok'}
    local upTo = tonumber(f[3] or '')
    for j = 1, nFire do
      local at = ARGV[i + 3 + j]
      local t = tonumber(at)
      if upTo == nil or t > upTo then
        upTo = t
        result[#result + 1] = at
      end
    end
    local fields = {'next', nextRun, 'cowner', '', 'lease', '', 'lcommit', fingerprint,
      'lacc', table.concat(result, ',', 2)}
    if #result > 1 then
      fields[#fields + 1] = 'fired'
      fields[#fields + 1] = result[#result]
      fields[#fields + 1] = 'runs'
      fields[#fields + 1] = s(tonumber(f[4]) + #result - 1)
    end
    redis.call('HSET', key, unpack(fields))
    if nextRun == '' or f[5] == '1' then
      redis.call('ZREM', KEYS[1], id)
    else
      redis.call('ZADD', KEYS[1], nextRun, id)
    end
    out[item] = result
  end
  i = i + 4 + nFire
end
if n > 0 then hint(ARGV[2], ARGV[3], 'commit', n == 1 and ARGV[6] or nil) end
return out
