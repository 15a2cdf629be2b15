--[[
  Appends a finished run to a schedule's bounded history and makes it the schedule's last run.
  KEYS[1]  `{p}:s:<id>`   KEYS[2]  `{p}:h:<id>`
  ARGV[1]  run record JSON   ARGV[2]  history limit (0 = keep none)
  Returns  1 recorded, 0 schedule missing (nothing written), -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) before any write when either key holds another type
]]
local limit = tonumber(ARGV[2])
if not limit then return -1 end
check_type(KEYS[1], 'hash')
check_type(KEYS[2], 'list')
return record_run(KEYS[1], KEYS[2], ARGV[1], limit)
