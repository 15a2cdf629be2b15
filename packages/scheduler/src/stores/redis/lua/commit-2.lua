--[[
  The exactly-once point: for each claimed schedule, checks the fencing token, records its
  occurrences once, advances the next run and releases the claim, atomically.
  KEYS[1]  {p}:due    KEYS[2]  `{p}:oc:<owner>` (the owner's outstanding claims)
  ARGV[1]  `{p}:s:`   ARGV[2]  channel   ARGV[3]  hint source   ARGV[4]  owner
  ARGV[5]  item count   ARGV[6]  {p}:slots   ARGV[7]  {p}:slot-data   ARGV[8]  `{p}:js:`
  ARGV[9]  the items, packed in one string (one argument instead of 6 + fire count per item: the
           client's encoding of a batch's arguments was its largest allocation); per item:
           `<id length in bytes>:<id><token>,<next run>,<slot max>,<slot lease ms>,<fire count>`,
           then `,<fire time>` per fire, then optionally `|<grace ms or ''>/<max instances>/<catch-up>/<occurrence>,...`
           (the plans made ahead, with slots only: see claim-due-3.lua), then `;` (next run '' =
           none, slot max '' = no slots)
  Returns  one string: per item in item order, separated by ' ':
             `o` then per accepted occurrence `,<scheduledAt>`, followed, with slots, by `+` (its
               run slot is counted: the run may start) or `-` (in flight but not counted, max
               runs were in progress); the run id is `<scheduledAt>@<owner>`
             `s` stale   `m` missing
             `cs` / `cj` corrupt: the schedule hash (`{p}:s:<id>`) / the job's slot set
               (`{p}:js:<id>`) holds another type; nothing of the item was written
           One string the client splits, not a JSON array of objects: no Lua table per result
           and no cjson, which cost Redis more than the item's commands.
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
  Plans made ahead: an item's `|...` part is stored in the schedule's `ahead` field with its
  hash and the new next run (`2/<hash>/<grace>/<max>/<catch-up>/,<next run>,<occurrences>,`), for
  a claim with commit-ahead to commit the next run at once while the plan holds; an item without
  one clears the field.
  Cost per item: HMGET + HSET of the schedule, and with slots ZCOUNT + ZADD of the job's slot
  set; the due set, the owner's claim set, {p}:slots and {p}:slot-data get one ZADD / ZREM /
  HSET per batch (per chunk of members), not one per item.
]]
local n = tonumber(ARGV[5])
if not n then return -1 end
local owner, slots, slotData, jsPrefix = ARGV[4], ARGV[6], ARGV[7], ARGV[8]
-- Unpack and check every item first, into one array per field (no table per item): the key
-- checks below must come before the first write.
local packed = ARGV[9]
if not packed then return -1 end
local ids, tokens, nexts, maxes, leases, fireFrom, fireCount, fires, aheads = {}, {}, {}, {}, {}, {}, {}, {}, {}
local withSlots = false
local pos, nFires = 1, 0
for item = 1, n do
  local len, idFrom = string.match(packed, '^(%d+):()', pos)
  if not len then return -1 end
  local idTo = idFrom + tonumber(len)
  local token, nextRun, slotMax, slotLease, count, p = string.match(packed, '^([^,]*),([^,]*),([^,]*),([^,]*),(%d+)()', idTo)
  if not token then return -1 end
  ids[item], tokens[item], nexts[item] = string.sub(packed, idFrom, idTo - 1), token, nextRun
  if slotMax ~= '' then
    maxes[item], leases[item] = tonumber(slotMax), tonumber(slotLease)
    if (not maxes[item]) or (not leases[item]) or leases[item] < 1 then return -1 end
    withSlots = true
  end
  count = tonumber(count)
  fireFrom[item], fireCount[item] = nFires + 1, count
  for _ = 1, count do
    local at, q = string.match(packed, '^,([^,;|]*)()', p)
    if not (at and tonumber(at)) then return -1 end
    nFires = nFires + 1
    fires[nFires] = at
    p = q
  end
  if string.byte(packed, p) == 124 then -- '|'
    local plan, q = string.match(packed, '^|([^;]*)()', p)
    if not (plan and maxes[item] and string.find(plan, '^[^/]*/[^/]*/[^/]*/[-%d,]*$')) then return -1 end
    aheads[item] = plan
    p = q
  end
  if string.byte(packed, p) ~= 59 then return -1 end -- ';'
  pos = p + 1
end
if pos ~= #packed + 1 then return -1 end
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'zset')
if withSlots then
  check_type(slots, 'zset')
  check_type(slotData, 'hash')
end

local now, liveFrom = nil, nil
local out = {}
-- Writes to shared keys, gathered and sent once per batch.
local dueAdd, dueRem, claimRem, slotAdd, slotSet = {}, {}, {}, {}, {}
-- Per slot lease (ms): its end from now, as a string; the owner as a JSON string (slot_json's).
local leaseEnds = {}
local ownerJson = json_str(owner)
local function leaseEnd(leaseMs)
  local at = leaseEnds[leaseMs]
  if not at then
    at = s(now + leaseMs)
    leaseEnds[leaseMs] = at
  end
  return at
end

local function flushSlots()
  if #slotAdd > 0 then call_chunked('ZADD', slots, slotAdd, 4000) end
  if #slotSet > 0 then call_chunked('HSET', slotData, slotSet, 4000) end
  slotAdd, slotSet = {}, {}
end

-- The runs a lost-answer commit of this owner and token recorded, still in flight: ok or stale.
local function replay(id, token, slotLease, first, nFire, js)
  if not slotLease then return 's' end
  flushSlots() -- an earlier item of this batch may have recorded what is read below
  now = now or now_ms()
  local leaseUntil = leaseEnd(slotLease)
  local parts, last = {'o'}, nil
  for j = first, first + nFire - 1 do
    local at = fires[j]
    if at ~= last then
      last = at
      local runId = at .. '@' .. owner
      local member = slot_member(id, runId)
      local data = redis.call('HGET', slotData, member)
      if data and cjson.decode(data).token == token then
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
        parts[#parts + 1] = counted and (',' .. at .. '+') or (',' .. at .. '-')
      end
    end
  end
  if #parts == 1 then return 's' end
  return table.concat(parts)
end

for item = 1, n do
  local id, token, nextRun = ids[item], tokens[item], nexts[item]
  local slotMax, slotLease = maxes[item], leases[item]
  local first, nFire = fireFrom[item], fireCount[item]
  local key = ARGV[1] .. id
  local js = jsPrefix .. id
  local f = redis.pcall('HMGET', key, 'token', 'cowner', 'fired', 'runs', 'paused', 'hash')
  if failed(f) then
    out[item] = 'cs'
  elseif not f[1] then
    out[item] = 'm'
  elseif f[1] ~= token or f[2] ~= owner then
    out[item] = replay(id, token, slotMax and slotLease, first, nFire, js)
  else
    -- The occurrences later than the watermark, in order, one per value: fires[j] for j in
    -- [acceptFrom, acceptFrom + nAccepted) when `accepted` is nil (the usual case: the plan's
    -- fires are increasing, so the accepted ones are a run of them), else listed in `accepted`.
    -- No table per item on the usual path (one fire, or increasing fires).
    local upTo = tonumber(f[3] or '')
    local accepted, nAccepted, acceptFrom, latest = nil, 0, nil, nil
    for j = first, first + nFire - 1 do
      local t = tonumber(fires[j])
      if upTo == nil or t > upTo then
        upTo = t
        if accepted then
          accepted[#accepted + 1] = fires[j]
        elseif acceptFrom == nil then
          acceptFrom = j
        elseif acceptFrom + nAccepted ~= j then
          accepted = {}
          for k = acceptFrom, acceptFrom + nAccepted - 1 do accepted[#accepted + 1] = fires[k] end
          accepted[#accepted + 1] = fires[j]
        end
        nAccepted = nAccepted + 1
        latest = fires[j]
      end
    end
    if nAccepted > 0 and not accepted then
      accepted = fires
    else
      acceptFrom = 1
    end
    -- Read the job's slot set before writing anything of the item.
    local live = nil
    if slotMax and nAccepted > 0 then
      if not now then
        now = now_ms()
        liveFrom = '(' .. s(now)
      end
      live = redis.pcall('ZCOUNT', js, liveFrom, '+inf')
    end
    if failed(live) then
      out[item] = 'cj'
    else
      local plan = ''
      if aheads[item] and nextRun ~= '' then
        -- `2/<hash>/<grace>/<max>/<catch-up>/,<next run>,<occurrence>,...,` (see claim-due-3.lua).
        local head, occurrences = string.match(aheads[item], '^(.*/)(.*)$')
        plan = '2/' .. (f[6] or '') .. '/' .. head .. ',' .. nextRun .. ',' .. occurrences .. ','
      end
      if nAccepted > 0 then
        -- runs is a count, far below 2^53: tostring is exact for it (s() is for epoch ms).
        redis.call('HSET', key, 'next', nextRun, 'cowner', '', 'lease', '', 'fired', latest, 'runs', tostring(tonumber(f[4]) + nAccepted), 'ahead', plan)
      else
        redis.call('HSET', key, 'next', nextRun, 'cowner', '', 'lease', '', 'ahead', plan)
      end
      claimRem[#claimRem + 1] = id
      if nextRun == '' or f[5] == '1' then
        dueRem[#dueRem + 1] = id
      else
        dueAdd[#dueAdd + 1] = nextRun
        dueAdd[#dueAdd + 1] = id
      end
      local last = acceptFrom + nAccepted - 1
      if not slotMax then
        if nAccepted == 0 then
          out[item] = 'o'
        elseif nAccepted == 1 then
          out[item] = 'o,' .. latest
        else
          out[item] = 'o,' .. table.concat(accepted, ',', acceptFrom, last)
        end
      elseif not live then
        out[item] = 'o'
      else
        local leaseUntil = leaseEnd(slotLease)
        local jobJson, leaseJson = json_str(id), s(slotLease)
        local reply = 'o'
        for j = acceptFrom, last do
          local at = accepted[j]
          local runId = at .. '@' .. owner
          local member = slot_member(id, runId)
          slotAdd[#slotAdd + 1] = leaseUntil
          slotAdd[#slotAdd + 1] = member
          slotSet[#slotSet + 1] = member
          -- slot_json(id, runId, at, owner, slotLease, token), with the id and owner quoted once.
          slotSet[#slotSet + 1] = '{"jobId":' .. jobJson .. ',"runId":' .. json_str(runId) .. ',"scheduledAt":' .. at ..
            ',"owner":' .. ownerJson .. ',"leaseMs":' .. leaseJson .. ',"token":"' .. token .. '"}'
          if live < slotMax then
            redis.call('ZADD', js, leaseUntil, runId)
            live = live + 1
            reply = reply .. ',' .. at .. '+'
          else
            reply = reply .. ',' .. at .. '-'
          end
        end
        out[item] = reply
      end
    end
  end
end
if #dueAdd > 0 then call_chunked('ZADD', KEYS[1], dueAdd, 4000) end
if #dueRem > 0 then call_chunked('ZREM', KEYS[1], dueRem, 4000) end
if #claimRem > 0 then call_chunked('ZREM', KEYS[2], claimRem, 4000) end
flushSlots()
if n > 0 then hint(ARGV[2], ARGV[3], 'commit', n == 1 and ids[1] or nil) end
return table.concat(out, ' ')
