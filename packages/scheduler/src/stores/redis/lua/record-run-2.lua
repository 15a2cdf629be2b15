--[[
  Appends a finished run to a schedule's bounded history and makes it the schedule's last run.
  KEYS[1]  `{p}:s:<id>`   KEYS[2]  `{p}:h:<id>`
  ARGV[1]  run record JSON   ARGV[2]  history limit (0 = keep none)
  Returns  1 recorded, 0 schedule missing (nothing written), -1 bad arguments
]]
local limit = tonumber(ARGV[2])
if not limit then return -1 end
return record_run(KEYS[1], KEYS[2], ARGV[1], limit)
