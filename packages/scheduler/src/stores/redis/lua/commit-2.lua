--[[
  The exactly-once point: for each claimed schedule, checks the fencing token, records its
  occurrences once, advances the next run and releases the claim, atomically.
  KEYS[1]  {p}:due    KEYS[2]  `{p}:oc:<owner>` (the owner's outstanding claims)
  ARGV[1]  `{p}:s:`   ARGV[2]  channel   ARGV[3]  hint source   ARGV[4]  owner
  ARGV[5]  item count   ARGV[6]  {p}:slots   ARGV[7]  {p}:slot-data   ARGV[8]  `{p}:js:`
  ARGV[9..] per item: id, token, next run ('' = none), slot max ('' = no slots), slot lease ms,
           fire count, fire times...
  Returns  a JSON array, one object per item in item order, named fields:
             {"status":"ok","accepted":["<scheduledAt>",...],"runs":[{"runId":...,"slotted":true|false}]}
               ("runs" only with slots: one per accepted occurrence, in order; slotted false =
               in flight but not counted, max runs were in progress)
             {"status":"stale"}   {"status":"missing"}
             {"status":"corrupt","key":...}   (a key of this schedule holds another type; nothing
               of the item was written)
           (an empty array may come back as {}: cjson cannot tell them apart)
           -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) before any write when a shared key holds another type
  Slots: with a slot max, every accepted occurrence gets a leased in-flight run slot in the same
  atomic step (listed in {p}:slots and {p}:slot-data, so it is reaped and recoverable if the
  process dies before or during the run), counted in `{p}:js:<id>` while fewer than max counted
  slots are live. The run id is `<scheduledAt>@<owner>` and the slot keeps the claim token. The
  slot keys are ARGV, not KEYS, as the per-schedule keys are: all share the namespace's hash tag.
  A retry of a commit whose answer was lost: the item's token is no longer the schedule's claim
  (the commit released it, and another owner may have claimed and committed since), but the
  runs it recorded are still in flight under this owner and token. With slots, the item is then
  answered 'ok' with those runs (leases renewed, suspicion cleared), less any that finished or
  were reaped meanwhile; with none left, or without slots, 'stale'.
  Occurrences are recorded as a per-schedule watermark (hash field `fired`, the latest accepted
  scheduledAt), exactly as MemoryStore does: an occurrence is accepted only when later than the
  watermark. Triggers and the misfire policy produce a schedule's occurrences in increasing
  order, so the watermark never lets a duplicate through, costs one field, and never expires
  (a record with a TTL would accept a replay after the TTL). An occurrence earlier than one
  already accepted (a caller moving the next run backwards past fired times) is refused.
  Cost per item: HMGET + HSET of the schedule, and with slots ZCOUNT + ZADD of the job's slot
  set; the due set, the owner's claim set, {p}:slots and {p}:slot-data get one ZADD / ZREM /
  HSET per batch (per chunk of members), not one per item.
]]
local n = tonumber(ARGV[5])
if not n then return -1 end
local owner, slots, slotData, jsPrefix = ARGV[4], ARGV[6], ARGV[7], ARGV[8]
-- Parse every item first: the key checks below must come before the first write.
local items, withSlots = {}, false
local i = 9
for item = 1, n do
  local nFire = tonumber(ARGV[i + 5])
  if not nFire then return -1 end
  local it = {id = ARGV[i], token = ARGV[i + 1], nextRun = ARGV[i + 2], slotMax = tonumber(ARGV[i + 3]),
    slotLease = tonumber(ARGV[i + 4]), first = i + 6, nFire = nFire}
  if it.slotMax then
    if (not it.slotLease) or it.slotLease < 1 then return -1 end
    withSlots = true
  end
  items[item] = it
  i = it.first + nFire
end
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'zset')
if withSlots then
  check_type(slots, 'zset')
  check_type(slotData, 'hash')
end

local now = nil
local out = {}
-- Writes to shared keys, gathered and sent once per batch.
local dueAdd, dueRem, claimRem, slotAdd, slotSet = {}, {}, {}, {}, {}

local function flushSlots()
  if #slotAdd > 0 then call_chunked('ZADD', slots, slotAdd, 4000) end
  if #slotSet > 0 then call_chunked('HSET', slotData, slotSet, 4000) end
  slotAdd, slotSet = {}, {}
end

-- The runs a lost-answer commit of this owner and token recorded, still in flight: ok or stale.
local function replay(it, js)
  if not it.slotMax then return {status = 'stale'} end
  flushSlots() -- an earlier item of this batch may have recorded what is read below
  now = now or now_ms()
  local leaseUntil = s(now + it.slotLease)
  local accepted, runs, last = {}, {}, nil
  for j = it.first, it.first + it.nFire - 1 do
    local at = ARGV[j]
    if at ~= last then
      last = at
      local runId = at .. '@' .. owner
      local member = slot_member(it.id, runId)
      local data = redis.call('HGET', slotData, member)
      if data and cjson.decode(data).token == it.token then
        local score = redis.pcall('ZSCORE', js, runId)
        local counted = (not failed(score)) and score ~= false
        if counted then redis.call('ZADD', js, 'XX', leaseUntil, runId) end
        slotAdd[#slotAdd + 1] = leaseUntil
        slotAdd[#slotAdd + 1] = member
        local fresh = unsuspect(data)
        if fresh ~= data then
          slotSet[#slotSet + 1] = member
          slotSet[#slotSet + 1] = fresh
        end
        accepted[#accepted + 1] = at
        runs[#runs + 1] = {runId = runId, slotted = counted}
      end
    end
  end
  if #accepted == 0 then return {status = 'stale'} end
  return {status = 'ok', accepted = accepted, runs = runs}
end

for item = 1, n do
  local it = items[item]
  local id = it.id
  local key = ARGV[1] .. id
  local js = jsPrefix .. id
  local f = redis.pcall('HMGET', key, 'token', 'cowner', 'fired', 'runs', 'paused')
  if failed(f) then
    out[item] = {status = 'corrupt', key = key}
  elseif not f[1] then
    out[item] = {status = 'missing'}
  elseif f[1] ~= it.token or f[2] ~= owner then
    out[item] = replay(it, js)
  else
    local accepted = {}
    local upTo = tonumber(f[3] or '')
    for j = it.first, it.first + it.nFire - 1 do
      local t = tonumber(ARGV[j])
      if upTo == nil or t > upTo then
        upTo = t
        accepted[#accepted + 1] = ARGV[j]
      end
    end
    -- Read the job's slot set before writing anything of the item.
    local live = nil
    if it.slotMax and #accepted > 0 then
      now = now or now_ms()
      live = redis.pcall('ZCOUNT', js, '(' .. s(now), '+inf')
    end
    if failed(live) then
      out[item] = {status = 'corrupt', key = js}
    else
      local fields = {'next', it.nextRun, 'cowner', '', 'lease', ''}
      if #accepted > 0 then
        fields[#fields + 1] = 'fired'
        fields[#fields + 1] = accepted[#accepted]
        fields[#fields + 1] = 'runs'
        fields[#fields + 1] = s(tonumber(f[4]) + #accepted)
      end
      redis.call('HSET', key, unpack(fields))
      claimRem[#claimRem + 1] = id
      if it.nextRun == '' or f[5] == '1' then
        dueRem[#dueRem + 1] = id
      else
        dueAdd[#dueAdd + 1] = it.nextRun
        dueAdd[#dueAdd + 1] = id
      end
      local result = {status = 'ok', accepted = accepted}
      if it.slotMax then
        local runs = {}
        if live then
          local leaseUntil = s(now + it.slotLease)
          local counted = {}
          for j = 1, #accepted do
            local at = accepted[j]
            local runId = at .. '@' .. owner
            local member = slot_member(id, runId)
            slotAdd[#slotAdd + 1] = leaseUntil
            slotAdd[#slotAdd + 1] = member
            slotSet[#slotSet + 1] = member
            slotSet[#slotSet + 1] = slot_json(id, runId, at, owner, it.slotLease, it.token)
            local slotted = live < it.slotMax
            if slotted then
              counted[#counted + 1] = leaseUntil
              counted[#counted + 1] = runId
              live = live + 1
            end
            runs[j] = {runId = runId, slotted = slotted}
          end
          if #counted > 0 then call_chunked('ZADD', js, counted, 4000) end
        end
        result.runs = runs
      end
      out[item] = result
    end
  end
end
if #dueAdd > 0 then call_chunked('ZADD', KEYS[1], dueAdd, 4000) end
if #dueRem > 0 then call_chunked('ZREM', KEYS[1], dueRem, 4000) end
if #claimRem > 0 then call_chunked('ZREM', KEYS[2], claimRem, 4000) end
flushSlots()
if n > 0 then hint(ARGV[2], ARGV[3], 'commit', n == 1 and ARGV[9] or nil) end
return cjson.encode(out)
