--[[
  Claims up to `limit` due schedules for one owner, each with a fresh fencing token and a lease;
  with commit-ahead on, commits at once, instead of claiming, each due schedule whose previous
  commit planned this occurrence ahead (its `ahead` field, see commit-2.lua) while that plan
  still holds.
  KEYS[1]  {p}:due    KEYS[2]  {p}:gen    KEYS[3]  `{p}:oc:<owner>` (the owner's outstanding claims)
  ARGV[1]  `{p}:s:`   ARGV[2]  owner   ARGV[3]  lease ms (>= 1)   ARGV[4]  limit (>= 1)
  ARGV[5]  '1' = also take back, first, this owner's own live claims (an earlier claim or commit
           call of this owner may have been applied without its answer arriving), '0' = not
  ARGV[6]  commit-ahead: '' = off; else this call's sequence number (increasing per owner), with
  ARGV[7]  `{p}:js:`   ARGV[8]  {p}:slots   ARGV[9]  {p}:slot-data   ARGV[10]  `{p}:oa:<owner>`
  ARGV[11] the sequence number of this owner's last call whose answer arrived ('' = none): with
           ARGV[5] = '1', the commits ahead of later calls (answers lost) are answered again
  ARGV[12] change channel   ARGV[13] hint source (a 'commit' hint when something was committed)
  ARGV[14..] ids never to claim (no handler in this process)
  Returns  {now, wakeup, info, leaseUntil, id, hash, state, ...}: per claim three strings, flat
           (claims earliest first), the definitions left out (the caller keeps the ones it knows
           by `hash` and reads the others itself):
             id     the schedule's id
             hash   its `hash` field
             state  `next,paused,runs,anchor,created,updated,token,last`, the fields after the
                    claim joined with ',' (all numbers or '', but `last`, the last-run JSON, which
                    is everything after the seventh ',')
           Every claim's owner is ARGV[2] and its lease ends at leaseUntil (epoch ms). One string
           per claim instead of an array of fields: the client decodes 3 RESP strings per claim,
           not 14, and Redis writes as few.
           wakeup is the earliest score left in the due set after the claims, excluded ids
           skipped, as a string, '' when none: the next wakeup, so the caller needs no TIME or
           ZRANGE call of its own.
           info: name/value pairs: 'gen', the namespace's generation ('' = none: its data was
           lost); 'lost', an id found due whose schedule hash is gone (evicted), once per id;
           'bad', a schedule key of another type than hash, once per key (taken out of the due
           set, as a lost one); 'ahead', the schedules committed ahead, packed in one string:
           per schedule `<n>:<id><n>:<hash><scheduledAt>,<next run>[,<missed>,<first>,<last>];`
           (each <n> the byte length of the string after its ':'; the bracketed part when the
           plan missed occurrences: their count, the oldest and the newest): each occurrence is recorded, its run
           slot taken and counted (run id `<scheduledAt>@<owner>`, lease ARGV[3]), the schedule's
           next run advanced, in this step; the caller dispatches it as a committed run
           -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) before any write when a shared key holds
           another type
  Due means: in the due set (unpaused, with a next run) with score <= now; the score is the next
  run, or the lease end while claimed, so a live claim is never handed out twice and claims come
  earliest first. Claiming bumps the token, so the previous holder of a lapsed lease can no
  longer commit. Every claim is also listed in the owner's claim set (scored by lease end, the
  key expiring with the last lease), so a take-back finds the claims whose answer the owner
  lost; commit and release take them out. Cost per claim: two HMGETs (the 7 fields a commit ahead
  needs, then the 4 only a claim answers) + HSET, and per batch one ZADD
  of the due set, two calls on the owner's claim set and a GET; the wakeup costs one ZRANGE of
  at most (excluded ids + 1) members. Leaving the definitions out saves copying each one through
  Lua to the reply (about a tenth of the claim's Redis time, see README.md).
  Commit ahead: a schedule's `ahead` field is `2/<hash>/<grace ms or ''>/<max instances>/<catch-up
  '1' or ''>/,<next run>,<occurrence>,<occurrence>,...,` (`2/`: the layout's version; a field
  without it is not used), written by the commit that set its next run (the caller planned, with
  the policy, that when a listed occurrence is the next run and is due at a time `now` before
  the occurrence listed after it and, with a grace, at most the grace after it, the plan fires it
  alone and the next run becomes the one listed after it; with catch-up, also that when `now` is
  past later listed occurrences, the newest one due fires alone, the ones before it are missed,
  and the next run is the one after it). It is used when its hash matches the schedule's, the
  schedule's next run is listed in it with an occurrence after it, the schedule is not paused,
  the occurrence fired is later than the watermark, `now` is within the plan (a listed occurrence
  after it, and the grace), and fewer than max instances counted slots are live; else the
  schedule is claimed as usual. A commit ahead leaves the field as it is (only the next run
  moves), so each one reads the plan but writes none of it. The token is bumped
  as a claim does, so a lapsed claim of another owner can no longer commit. Cost per schedule
  committed ahead: HMGET (7 fields) + HSET of the schedule, ZCOUNT + ZADD of the job's slot set, and the
  due set, {p}:slots and {p}:slot-data once per batch: a claim and a commit cost HMGET + HSET
  each, the due set and the owner's claim set twice, and a round trip. Each call with commits
  ahead lists them in `{p}:oa:<owner>` (one SET, expiring with the lease) under its sequence
  number, so a take-back after a lost answer answers them again, once: those whose run is still
  in flight (its slot in the job's slot set), listed again under the new call.
]]
local leaseMs, limit = tonumber(ARGV[3]), tonumber(ARGV[4])
if (not leaseMs) or leaseMs < 1 or (not limit) or limit < 1 then return -1 end
local ahead = ARGV[6] ~= nil and ARGV[6] ~= ''
local jsPrefix, slots, slotData, aheadLog = ARGV[7], ARGV[8], ARGV[9], ARGV[10]
if ahead and not (jsPrefix and slots and slotData and aheadLog and ARGV[11] and ARGV[12] and ARGV[13]) then return -1 end
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'string')
check_type(KEYS[3], 'zset')
if ahead then
  check_type(slots, 'zset')
  check_type(slotData, 'hash')
  check_type(aheadLog, 'string')
end
local now = now_ms()
local owner = ARGV[2]
local excluded, nExcluded = {}, 0
for i = 14, #ARGV do
  excluded[ARGV[i]] = true
  nExcluded = nExcluded + 1
end
local info = {'gen', redis.call('GET', KEYS[2]) or ''}
local leaseUntil = s(now + leaseMs)
local liveFrom = '(' .. s(now)
local out = {now, '', info, leaseUntil}
local claimed = 0
local rescored, gone = {}, {}
-- Commits ahead: the due set's new scores, the slots, the reply and the log, sent once per batch.
local dueAdd, slotAdd, slotSet, aheadOut, aheadLogged = {}, {}, {}, {}, {}
local ownerJson, leaseJson = json_str(owner), s(leaseMs)
-- The fields read per due schedule: f[1] is `hash` (a schedule hash always has one), then
-- `next`, `paused`, `runs`, `token`, `fired`, `ahead`: what a commit ahead reads; the claim's
-- owner and lease (f[8], f[9]) only for a take-back, which needs them. A claim reads the rest
-- of its reply (CLAIM_FIELDS) with a second HMGET: most due schedules of a burst are committed
-- ahead and never need them, and `last` (the last run's JSON) is the largest field read.
local fields = {'hash', 'next', 'paused', 'runs', 'token', 'fired', 'ahead'}
if ARGV[5] == '1' then
  fields[8] = 'cowner'
  fields[9] = 'lease'
end
local CLAIM_FIELDS = {'anchor', 'created', 'updated', 'last'}

-- One commit ahead in the reply and the log (see the header).
local function packed_ahead(id, hash, occurrence)
  return #id .. ':' .. id .. #hash .. ':' .. hash .. occurrence .. ';'
end

-- Commits `id`'s occurrence ahead when its `ahead` plan holds (see the header); true when it did.
local function commit_ahead(id, key, f)
  local plan = f[7]
  if (not plan) or plan == '' or f[3] == '1' or f[2] == '' then return false end
  local hash, grace, max, catchUp, listFrom = string.match(plan, '^2/([^/]*)/([^/]*)/([^/]*)/([^/]*)/()')
  if hash ~= f[1] then return false end
  -- The schedule's next run in the plan's list (`,<occurrence>,` each), and the one after it.
  local first = f[2]
  local _, p = string.find(plan, ',' .. first .. ',', listFrom, true)
  if not p then return false end
  local at, missed, lastMissed = first, 0, nil
  local nextRun, q = string.match(plan, '^(%d+),()', p + 1)
  if not nextRun then return false end
  -- Behind (the occurrence after the next run is due too): with catch-up, the newest listed
  -- occurrence due fires alone and the ones before it are missed, as the plan says.
  while now >= tonumber(nextRun) do
    if catchUp ~= '1' then return false end
    local later, r = string.match(plan, '^(%d+),()', q)
    if not later then return false end
    lastMissed = at
    missed = missed + 1
    at = nextRun
    nextRun, q = later, r
  end
  local t = tonumber(at)
  if not (t and (grace == '' or now <= t + tonumber(grace))) then return false end
  local fired = tonumber(f[6] or '')
  if fired and t <= fired then return false end
  local js = jsPrefix .. id
  local live = redis.pcall('ZCOUNT', js, liveFrom, '+inf')
  if failed(live) or live >= tonumber(max) then return false end
  local token = tostring(tonumber(f[5]) + 1)
  local runId = at .. '@' .. owner
  redis.call('ZADD', js, leaseUntil, runId)
  -- The plan stays as it is: the new next run is where the next commit ahead finds its place.
  redis.call('HSET', key, 'token', token, 'next', nextRun, 'fired', at, 'runs', tostring(tonumber(f[4]) + 1),
    'cowner', '', 'lease', '')
  dueAdd[#dueAdd + 1] = nextRun
  dueAdd[#dueAdd + 1] = id
  local member = slot_member(id, runId)
  slotAdd[#slotAdd + 1] = leaseUntil
  slotAdd[#slotAdd + 1] = member
  slotSet[#slotSet + 1] = member
  slotSet[#slotSet + 1] = '{"jobId":' .. json_str(id) .. ',"runId":' .. json_str(runId) .. ',"scheduledAt":' .. at ..
    ',"owner":' .. ownerJson .. ',"leaseMs":' .. leaseJson .. ',"token":"' .. token .. '"}'
  local entry
  if missed == 0 then
    entry = packed_ahead(id, hash, at .. ',' .. nextRun)
  else
    entry = packed_ahead(id, hash, at .. ',' .. nextRun .. ',' .. missed .. ',' .. first .. ',' .. lastMissed)
  end
  aheadOut[#aheadOut + 1] = entry
  aheadLogged[#aheadLogged + 1] = entry
  return true
end

-- Claims `id` when `ok(f)` accepts its schedule fields; a gone or unusable schedule is noted.
local function take(id, ok, mayCommit)
  local key = ARGV[1] .. id
  local f = redis.pcall('HMGET', key, unpack(fields))
  if failed(f) then
    gone[#gone + 1] = id
    info[#info + 1] = 'bad'
    info[#info + 1] = key
  elseif not f[1] then
    gone[#gone + 1] = id
    info[#info + 1] = 'lost'
    info[#info + 1] = id
  elseif mayCommit and commit_ahead(id, key, f) then
    claimed = claimed + 1
  elseif ok(f) then
    local token = s(tonumber(f[5]) + 1)
    local c = redis.call('HMGET', key, unpack(CLAIM_FIELDS))
    redis.call('HSET', key, 'token', token, 'cowner', owner, 'lease', leaseUntil)
    rescored[#rescored + 1] = leaseUntil
    rescored[#rescored + 1] = id
    claimed = claimed + 1
    local n = #out
    out[n + 1] = id
    out[n + 2] = f[1]
    out[n + 3] = (f[2] or '') .. ',' .. (f[3] or '') .. ',' .. (f[4] or '') .. ',' .. (c[1] or '') .. ',' ..
      (c[2] or '') .. ',' .. (c[3] or '') .. ',' .. token .. ',' .. (c[4] or '')
  end
end

if ARGV[5] == '1' then
  if ahead then
    -- The commits ahead of this owner's calls whose answers were lost: answered again (and
    -- logged again under this call) while their runs are still in flight.
    local logged = redis.call('GET', aheadLog)
    local lastAnswered = tonumber(ARGV[11])
    if logged then
      local bar = string.find(logged, '|', 1, true)
      local seq = tonumber(string.sub(logged, 1, bar - 1))
      if (not lastAnswered) or seq > lastAnswered then
        local pos = bar + 1
        while pos <= #logged do
          local idLen, idFrom = string.match(logged, '^(%d+):()', pos)
          local id = string.sub(logged, idFrom, idFrom + tonumber(idLen) - 1)
          local hashLen, hashFrom = string.match(logged, '^(%d+):()', idFrom + tonumber(idLen))
          local hashTo = hashFrom + tonumber(hashLen)
          local at, p = string.match(logged, '^([^,]*)[^;]*;()', hashTo)
          local entry = string.sub(logged, pos, p - 1)
          local inFlight = redis.pcall('ZSCORE', jsPrefix .. id, at .. '@' .. owner)
          if (not failed(inFlight)) and inFlight then
            aheadOut[#aheadOut + 1] = entry
            aheadLogged[#aheadLogged + 1] = entry
          end
          pos = p
        end
      end
    end
  end
  -- Still this owner's, unexpired, unpaused: a claim whose answer was lost, not a cancelled one.
  local function mine(f)
    return f[8] == owner and f[2] ~= '' and f[3] ~= '1' and (tonumber(f[9]) or 0) > now
  end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. s(now), '+inf', 'LIMIT', 0, limit)) do
    if claimed >= limit then break end
    if not excluded[id] then take(id, mine, false) end
  end
end
-- At most nExcluded candidates are skipped, so limit + nExcluded candidates always suffice.
local function any() return true end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', s(now), 'LIMIT', 0, limit + nExcluded)
for _, id in ipairs(ids) do
  if claimed >= limit then break end
  if not excluded[id] then take(id, any, ahead) end
end
if #rescored > 0 then
  -- In chunks: unpack of more than ~8000 values (4000 claims) fails in Redis's Lua.
  call_chunked('ZADD', KEYS[1], rescored, 4000)
  call_chunked('ZADD', KEYS[3], rescored, 4000)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', s(now))
  redis.call('PEXPIRE', KEYS[3], leaseMs)
end
if #dueAdd > 0 then call_chunked('ZADD', KEYS[1], dueAdd, 4000) end
if #slotAdd > 0 then
  call_chunked('ZADD', slots, slotAdd, 4000)
  call_chunked('HSET', slotData, slotSet, 4000)
end
if #aheadLogged > 0 then
  redis.call('SET', aheadLog, ARGV[6] .. '|' .. table.concat(aheadLogged), 'PX', leaseMs)
end
if #aheadOut > 0 then
  info[#info + 1] = 'ahead'
  info[#info + 1] = table.concat(aheadOut)
end
if #dueAdd > 0 then hint(ARGV[12], ARGV[13], 'commit', nil) end
if #gone > 0 then call_chunked('ZREM', KEYS[1], gone, 4000) end
-- At most nExcluded of the earliest members are skipped, so nExcluded + 1 members suffice.
local earliest = redis.call('ZRANGE', KEYS[1], 0, nExcluded, 'WITHSCORES')
for j = 1, #earliest, 2 do
  if not excluded[earliest[j]] then
    out[2] = earliest[j + 1]
    break
  end
end
return out
