--[[
  Lists schedules in registration order, optionally only one owner's.
  KEYS[1]  {p}:all
  ARGV[1]  `{p}:s:`   ARGV[2]  '1' = filter by owner   ARGV[3]  owner
  Returns  {{id, fields}, ...} (fields in SCHEDULE_FIELDS order)
           error XCORE_WRONGTYPE (see check_type) when a key holds another type (nothing is written)
]]
check_type(KEYS[1], 'zset')
local out = {}
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, id in ipairs(ids) do
  local key = ARGV[1] .. id
  check_type(key, 'hash')
  if ARGV[2] ~= '1' or redis.call('HGET', key, 'owner') == ARGV[3] then
    if redis.call('EXISTS', key) == 1 then
      out[#out + 1] = {id, read_schedule(key)}
    end
  end
end
return out
