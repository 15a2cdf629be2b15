--[[
  The exactly-once point: for each claimed schedule, checks the fencing token, records its
  occurrences once, advances the next run and releases the claim, atomically.
  KEYS[1]  {p}:due
  ARGV[1]  `{p}:s:`   ARGV[2]  channel   ARGV[3]  hint source   ARGV[4]  owner
  ARGV[5]  item count   ARGV[6]  {p}:slots   ARGV[7]  {p}:slot-data   ARGV[8]  `{p}:js:`
  ARGV[9..] per item: id, token, next run ('' = none), slot max ('' = no slots), slot lease ms,
           fire count, fire times...
  Returns  {{'ok', accepted...} | {'ok', accepted..., '|', slotted...} | {'stale'} | {'missing'}, ...}
           in item order; with slots, after '|' one '1' (counted) or '0' (in flight, not
           counted: max runs in progress) per accepted occurrence, whose run id is
           `<scheduledAt>@<owner>`
           -1 bad arguments
  Slots: with a slot max, every accepted occurrence gets a leased in-flight run slot in the same
  atomic step (listed in {p}:slots and {p}:slot-data, so it is reaped and recoverable if the
  process dies before or during the run), counted in `{p}:js:<id>` while fewer than max counted
  slots are live. The slot keys are ARGV, not KEYS, as the per-schedule keys are: all share the
  namespace's hash tag.
  A retry of the last commit of a schedule, identical (owner, token, next run, fire times), gets
  the first answer again instead of 'stale': a commit whose reply was lost with the connection
  can be re-sent without losing the occurrences it recorded.
  Occurrences are recorded as a per-schedule watermark (hash field `fired`, the latest accepted
  scheduledAt), exactly as MemoryStore does: an occurrence is accepted only when later than the
  watermark. Triggers and the misfire policy produce a schedule's occurrences in increasing
  order, so the watermark never lets a duplicate through, costs one field, and never expires
  (a record with a TTL would accept a replay after the TTL). An occurrence earlier than one
  already accepted (a caller moving the next run backwards past fired times) is refused.
  Cost per item: HMGET + HSET of the schedule, and with slots ZCOUNT + ZADD of the job's slot
  set; the due set, {p}:slots and {p}:slot-data get one ZADD / ZREM / HSET per batch (per chunk
  of members), not one per item.
]]
local n = tonumber(ARGV[5])
if not n then return -1 end
local owner, slots, slotData, jsPrefix = ARGV[4], ARGV[6], ARGV[7], ARGV[8]
local now = nil
local out = {}
-- Writes to shared keys, gathered and sent once per batch by flush().
local dueAdd, dueRem, slotAdd, slotSet = {}, {}, {}, {}
local function flush()
  if #dueAdd > 0 then call_chunked('ZADD', KEYS[1], dueAdd, 4000) end
  if #dueRem > 0 then call_chunked('ZREM', KEYS[1], dueRem, 4000) end
  if #slotAdd > 0 then call_chunked('ZADD', slots, slotAdd, 4000) end
  if #slotSet > 0 then call_chunked('HSET', slotData, slotSet, 4000) end
  dueAdd, dueRem, slotAdd, slotSet = {}, {}, {}, {}
end
local i = 9
for item = 1, n do
  local id, token, nextRun, slotMax, slotLease, nFire = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5])
  if not nFire then return -1 end
  if slotMax and ((not slotLease) or slotLease < 1) then return -1 end
  local first = i + 6
  local key = ARGV[1] .. id
  local js = jsPrefix .. id
  local f = redis.call('HMGET', key, 'token', 'cowner', 'fired', 'runs', 'paused', 'lcommit', 'lacc')
  local fingerprint = owner .. '|' .. token .. '|' .. nextRun .. '|' .. ARGV[i + 3] .. '|' .. table.concat(ARGV, ',', first, first + nFire - 1)
  if not f[1] then
    out[item] = {'missing'}
  elseif f[1] ~= token or f[2] ~= owner then
    if f[6] == fingerprint then
      -- A retry of a commit whose reply was lost: the same answer, less runs whose in-flight
      -- slot is gone meanwhile (reaped: another process recovered or recorded them).
      flush()
      local replay, flags = {'ok'}, {}
      for at in string.gmatch(f[7] or '', '[^,]+') do
        if slotMax then
          local runId = at .. '@' .. owner
          if redis.call('HEXISTS', slotData, slot_member(id, runId)) == 1 then
            replay[#replay + 1] = at
            flags[#flags + 1] = redis.call('ZSCORE', js, runId) and '1' or '0'
          end
        else
          replay[#replay + 1] = at
        end
      end
      if slotMax then
        replay[#replay + 1] = '|'
        for _, flag in ipairs(flags) do replay[#replay + 1] = flag end
      end
      out[item] = replay
    else
      out[item] = {'stale'}
    end
  else
    local result = {'ok'}
    local upTo = tonumber(f[3] or '')
    for j = 1, nFire do
      local at = ARGV[first + j - 1]
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
      dueRem[#dueRem + 1] = id
    else
      dueAdd[#dueAdd + 1] = nextRun
      dueAdd[#dueAdd + 1] = id
    end
    if slotMax then
      local accepted = #result - 1
      result[#result + 1] = '|'
      if accepted > 0 then
        now = now or now_ms()
        local leaseUntil = s(now + slotLease)
        local live = redis.call('ZCOUNT', js, '(' .. s(now), '+inf')
        local counted = {}
        for j = 2, accepted + 1 do
          local at = result[j]
          local runId = at .. '@' .. owner
          local member = slot_member(id, runId)
          slotAdd[#slotAdd + 1] = leaseUntil
          slotAdd[#slotAdd + 1] = member
          slotSet[#slotSet + 1] = member
          slotSet[#slotSet + 1] = slot_json(id, runId, at, owner, slotLease)
          if live < slotMax then
            counted[#counted + 1] = leaseUntil
            counted[#counted + 1] = runId
            live = live + 1
            result[#result + 1] = '1'
          else
            result[#result + 1] = '0'
          end
        end
        if #counted > 0 then call_chunked('ZADD', js, counted, 4000) end
      end
    end
    out[item] = result
  end
  i = first + nFire
end
flush()
if n > 0 then hint(ARGV[2], ARGV[3], 'commit', n == 1 and ARGV[9] or nil) end
return out
