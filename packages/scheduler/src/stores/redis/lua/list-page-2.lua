--[[
  One page of schedules in id order, filtered (Store.listPage): keyset paging over {p}:ids.
  KEYS[1]  {p}:ids (every id at score 0)    KEYS[2]  {p}:all
  ARGV[1]  `{p}:s:`    ARGV[2]  `{p}:js:`
  ARGV[3]  where to start: '-' (first id) or '(' .. the last id seen
  ARGV[4]  limit (items at most)    ARGV[5]  scan (ids examined at most)
  ARGV[6]  filter JSON: {owner?, paused?, failing?, hasNext?, idContains?}
  Returns  {next, id, fields, running, id, fields, running, ...}: next is the last id examined
           when more may follow ('' at the end); fields in SCHEDULE_FIELDS order; running is the
           job's counted run slots whose lease has not expired (runs in progress anywhere)
           -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) when {p}:ids or {p}:all holds another type
           (before any write), or when a schedule key examined does (after a rebuild of the
           index, which is complete in itself); a job's slot set of another type counts 0 runs
  An index whose size differs from {p}:all (data written before the index existed, or restored
  without it) is rebuilt first: one O(n) pass, then O(log n + scan) per page.
]]
local limit, scan = tonumber(ARGV[4]), tonumber(ARGV[5])
if not limit or limit < 1 or not scan or scan < 1 then return -1 end
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'zset')
ensure_ids_index(KEYS[1], KEYS[2])
local field = {}
for i, name in ipairs(SCHEDULE_FIELDS) do field[name] = i end
local f = cjson.decode(ARGV[6])
local ids = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[3], '+', 'LIMIT', 0, scan)
local now = s(now_ms())
local out = {''}
local n = 0
local last = nil
for _, id in ipairs(ids) do
  if n >= limit then break end
  last = id
  local key = ARGV[1] .. id
  local row = hmget_checked(key, unpack(SCHEDULE_FIELDS))
  local ok = row[1] ~= false
  if ok and type(f.idContains) == 'string' then ok = string.find(id, f.idContains, 1, true) ~= nil end
  if ok and type(f.owner) == 'string' then ok = redis.call('HGET', key, 'owner') == f.owner end
  if ok and type(f.paused) == 'boolean' then ok = (row[field.paused] == '1') == f.paused end
  if ok and type(f.hasNext) == 'boolean' then ok = (row[field.next] ~= false and row[field.next] ~= '') == f.hasNext end
  if ok and type(f.failing) == 'boolean' then
    local failing = false
    local lastRun = row[field.last]
    if lastRun and lastRun ~= '' then
      local decoded, record = pcall(cjson.decode, lastRun)
      if decoded and type(record) == 'table' then failing = record.status == 'failed' or record.status == 'timed_out' or record.status == 'crashed' or record.status == 'out_of_memory' end
    end
    ok = failing == f.failing
  end
  if ok then
    n = n + 1
    out[#out + 1] = id
    out[#out + 1] = row
    out[#out + 1] = count_slots(ARGV[2] .. id, '(' .. now)
  end
end
if last and (n >= limit or #ids >= scan) then out[1] = last end
return out
