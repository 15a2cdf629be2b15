--[[
  Counts schedules over one range of ids (Store.countSchedules): all, paused, failing (last run
  failed or timed out) and runs in progress (counted run slots whose lease has not expired).
  KEYS[1]  {p}:ids    KEYS[2]  {p}:all
  ARGV[1]  `{p}:s:`   ARGV[2]  `{p}:js:`   ARGV[3]  '-' or '(' .. the last id counted   ARGV[4]  scan
  Returns  {next, schedules, paused, failing, running}: next is the last id counted when more
           may follow ('' at the end)
           -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) when {p}:ids or {p}:all holds another type
           (before any write), or when a schedule key counted does (after a rebuild of the index,
           which is complete in itself); a job's slot set of another type counts 0 runs
]]
local scan = tonumber(ARGV[4])
if not scan or scan < 1 then return -1 end
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'zset')
ensure_ids_index(KEYS[1], KEYS[2])
local ids = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[3], '+', 'LIMIT', 0, scan)
local now = '(' .. s(now_ms())
local schedules, paused, failing, running = 0, 0, 0, 0
for _, id in ipairs(ids) do
  local f = hmget_checked(ARGV[1] .. id, 'paused', 'last')
  if f[1] then
    schedules = schedules + 1
    if f[1] == '1' then paused = paused + 1 end
    if f[2] and f[2] ~= '' and (string.find(f[2], '"status":"failed"', 1, true) or string.find(f[2], '"status":"timed_out"', 1, true)
        or string.find(f[2], '"status":"crashed"', 1, true) or string.find(f[2], '"status":"out_of_memory"', 1, true)) then
      failing = failing + 1
    end
    running = running + count_slots(ARGV[2] .. id, now)
  end
end
local next = ''
if #ids >= scan then next = ids[#ids] end
return {next, schedules, paused, failing, running}
