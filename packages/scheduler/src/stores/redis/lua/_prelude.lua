--[[
  Shared helpers, prepended by scripts.ts to every store script (this file is not a command).
  scripts.ts also prepends `local SCHEDULE_FIELDS = {...}` generated from keys.ts, so the field
  order of a schedule hash is defined in one place.

  Numbers are written with s() (string.format '%d'), never tostring(): Lua 5.1's tostring uses
  '%.14g', which would round epoch milliseconds past 14 digits.
]]
local function s(n)
  return string.format('%d', n)
end

-- Redis's own clock in epoch milliseconds: the one clock every process shares.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function read_schedule(key)
  return redis.call('HMGET', key, unpack(SCHEDULE_FIELDS))
end

-- Puts `id` in the due set at the instant it can next be claimed (max of next run and lease
-- expiry), or removes it when it is paused or has no next run.
local function place_due(due, key, id)
  local f = redis.call('HMGET', key, 'next', 'paused', 'lease')
  if (not f[1]) or f[1] == '' or f[2] == '1' then
    redis.call('ZREM', due, id)
    return
  end
  local at = tonumber(f[1])
  local lease = tonumber(f[3] or '')
  if lease and lease > at then at = lease end
  redis.call('ZADD', due, s(at), id)
end

-- Runs `cmd key <args...>` for a flat list of arguments in chunks (unpack has a C stack limit
-- of a few thousand values), `step` arguments at a time (a multiple of the command's tuple size).
-- Returns the sum of the replies. One call per chunk instead of one per member is what makes a
-- batch cheap: each redis.call from Lua costs about a microsecond on its own.
local function call_chunked(cmd, key, args, step)
  local total = 0
  for from = 1, #args, step do
    local to = math.min(from + step - 1, #args)
    total = total + redis.call(cmd, key, unpack(args, from, to))
  end
  return total
end

-- Publishes a change hint; `src` lets the publishing store ignore its own echo.
local function hint(channel, src, kind, id)
  local msg = {kind = kind, src = src}
  if id then msg.id = id end
  redis.call('PUBLISH', channel, cjson.encode(msg))
end

-- The member naming one run slot in {p}:slots and {p}:slot-data: the job id's byte length, ':',
-- the job id, then the run id (unambiguous for any ids). keys.ts slotMember builds the same.
local function slot_member(jobId, runId)
  return #jobId .. ':' .. jobId .. runId
end

-- A JSON string literal for `v`: quoted as is when it holds no character JSON escapes (the usual
-- id, about 4x cheaper than cjson.encode), else cjson.encode. Bytes >= 0x80 (UTF-8) need no escape.
local function json_str(v)
  if string.find(v, '[%c"\\/]') then return cjson.encode(v) end
  return '"' .. v .. '"'
end

-- The JSON stored for a slot in {p}:slot-data (numbers written exactly, see s()).
local function slot_json(jobId, runId, scheduledAt, owner, leaseMs)
  return '{"jobId":' .. json_str(jobId) .. ',"runId":' .. json_str(runId) .. ',"scheduledAt":' ..
    scheduledAt .. ',"owner":' .. json_str(owner) .. ',"leaseMs":' .. s(leaseMs) .. '}'
end

-- Frees a run slot; returns 1 when the job held it, else 0.
local function free_slot(slots, slotData, jsPrefix, jobId, runId)
  local member = slot_member(jobId, runId)
  local counted = redis.call('ZREM', jsPrefix .. jobId, runId)
  local listed = redis.call('ZREM', slots, member)
  redis.call('HDEL', slotData, member)
  if counted + listed > 0 then return 1 end
  return 0
end

-- Appends a run record to a schedule's bounded history and sets its last run; a record for a
-- schedule that no longer exists is dropped. Returns 1 recorded, 0 dropped.
-- The existence check is HSET's own reply: every schedule hash has a `last` field (upsert writes
-- it), so HSET adds a field, and returns 1, only when it just created the hash of a removed
-- schedule, which is deleted again within this atomic step. One call instead of EXISTS + HSET.
local function record_run(scheduleKey, historyKey, record, limit)
  if redis.call('HSET', scheduleKey, 'last', record) == 1 then
    redis.call('DEL', scheduleKey)
    return 0
  end
  if limit < 1 then
    redis.call('DEL', historyKey)
    return 1
  end
  redis.call('LPUSH', historyKey, record)
  redis.call('LTRIM', historyKey, 0, limit - 1)
  return 1
end

-- {p}:ids (the id-ordered index of listPage) from {p}:all, so scripts that add or remove schedules
-- keep the index without another KEYS entry (both carry the same hash tag, so one Cluster slot).
local function ids_key(all)
  return string.sub(all, 1, #all - 3) .. 'ids'
end

-- Rebuilds {p}:ids from {p}:all when their sizes differ (data written before the index existed,
-- or by a script that does not keep it): one O(n) pass, then reads are O(log n) again.
local function ensure_ids_index(ids, all)
  if redis.call('ZCARD', ids) == redis.call('ZCARD', all) then return end
  redis.call('DEL', ids)
  local args = {}
  for _, id in ipairs(redis.call('ZRANGE', all, 0, -1)) do
    args[#args + 1] = '0'
    args[#args + 1] = id
  end
  if #args > 0 then call_chunked('ZADD', ids, args, 2000) end
end
