--[[
  Claims up to `limit` due schedules for one owner, each with a fresh fencing token and a lease.
  KEYS[1]  {p}:due    KEYS[2]  {p}:gen    KEYS[3]  `{p}:oc:<owner>` (the owner's outstanding claims)
  ARGV[1]  `{p}:s:`   ARGV[2]  owner   ARGV[3]  lease ms (>= 1)   ARGV[4]  limit (>= 1)
  ARGV[5]  '1' = also take back, first, this owner's own live claims (an earlier claim or commit
           call of this owner may have been applied without its answer arriving), '0' = not
  ARGV[6..] ids never to claim (no handler in this process)
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
           set, as a lost one)
           -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) before any write when a shared key holds
           another type
  Due means: in the due set (unpaused, with a next run) with score <= now; the score is the next
  run, or the lease end while claimed, so a live claim is never handed out twice and claims come
  earliest first. Claiming bumps the token, so the previous holder of a lapsed lease can no
  longer commit. Every claim is also listed in the owner's claim set (scored by lease end, the
  key expiring with the last lease), so a take-back finds the claims whose answer the owner
  lost; commit and release take them out. Cost per claim: HMGET + HSET, and per batch one ZADD
  of the due set, two calls on the owner's claim set and a GET; the wakeup costs one ZRANGE of
  at most (excluded ids + 1) members. Leaving the definitions out saves copying each one through
  Lua to the reply (about a tenth of the claim's Redis time, see README.md).
]]
local leaseMs, limit = tonumber(ARGV[3]), tonumber(ARGV[4])
if (not leaseMs) or leaseMs < 1 or (not limit) or limit < 1 then return -1 end
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'string')
check_type(KEYS[3], 'zset')
local now = now_ms()
local owner = ARGV[2]
local excluded, nExcluded = {}, 0
for i = 6, #ARGV do
  excluded[ARGV[i]] = true
  nExcluded = nExcluded + 1
end
local info = {'gen', redis.call('GET', KEYS[2]) or ''}
local leaseUntil = s(now + leaseMs)
local out = {now, '', info, leaseUntil}
local claimed = 0
local rescored, gone = {}, {}
-- The fields read per claim: f[1] is `hash` (a schedule hash always has one), f[9] `last`; the
-- claim's owner and lease (f[10], f[11]) only for a take-back, which needs them.
local fields = {'hash', 'next', 'paused', 'runs', 'anchor', 'created', 'updated', 'token', 'last'}
if ARGV[5] == '1' then
  fields[10] = 'cowner'
  fields[11] = 'lease'
end

-- Claims `id` when `ok(f)` accepts its schedule fields; a gone or unusable schedule is noted.
local function take(id, ok)
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
  elseif ok(f) then
    local token = s(tonumber(f[8]) + 1)
    redis.call('HSET', key, 'token', token, 'cowner', owner, 'lease', leaseUntil)
    rescored[#rescored + 1] = leaseUntil
    rescored[#rescored + 1] = id
    claimed = claimed + 1
    local n = #out
    out[n + 1] = id
    out[n + 2] = f[1]
    out[n + 3] = (f[2] or '') .. ',' .. (f[3] or '') .. ',' .. (f[4] or '') .. ',' .. (f[5] or '') .. ',' ..
      (f[6] or '') .. ',' .. (f[7] or '') .. ',' .. token .. ',' .. (f[9] or '')
  end
end

if ARGV[5] == '1' then
  -- Still this owner's, unexpired, unpaused: a claim whose answer was lost, not a cancelled one.
  local function mine(f)
    return f[10] == owner and f[2] ~= '' and f[3] ~= '1' and (tonumber(f[11]) or 0) > now
  end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. s(now), '+inf', 'LIMIT', 0, limit)) do
    if claimed >= limit then break end
    if not excluded[id] then take(id, mine) end
  end
end
-- At most nExcluded candidates are skipped, so limit + nExcluded candidates always suffice.
local function any() return true end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', s(now), 'LIMIT', 0, limit + nExcluded)
for _, id in ipairs(ids) do
  if claimed >= limit then break end
  if not excluded[id] then take(id, any) end
end
if #rescored > 0 then
  -- In chunks: unpack of more than ~8000 values (4000 claims) fails in Redis's Lua.
  call_chunked('ZADD', KEYS[1], rescored, 4000)
  call_chunked('ZADD', KEYS[3], rescored, 4000)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', s(now))
  redis.call('PEXPIRE', KEYS[3], leaseMs)
end
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
