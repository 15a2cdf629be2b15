--[[
  The finish side of a batch of runs, in one atomic step: frees each run's slot and appends its
  record to the job's bounded history (as release-slot-2 then record-run-2, per entry in order).
  KEYS[1]  {p}:slots   KEYS[2]  {p}:slot-data
  ARGV[1]  `{p}:js:`   ARGV[2]  `{p}:s:`   ARGV[3]  `{p}:h:`   ARGV[4]  channel   ARGV[5]  hint source
  ARGV[6..] quadruples: job id, run id ('' = no slot), record JSON ('' = none), history limit
  Returns  number of slots freed, -1 bad arguments
]]
if (#ARGV - 5) % 4 ~= 0 then return -1 end
local freed = 0
for i = 6, #ARGV, 4 do
  local jobId, runId, record, limit = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  if not limit then return -1 end
  if runId ~= '' then freed = freed + free_slot(KEYS[1], KEYS[2], ARGV[1], jobId, runId) end
  if record ~= '' then record_run(ARGV[2] .. jobId, ARGV[3] .. jobId, record, limit) end
end
if freed > 0 then hint(ARGV[4], ARGV[5], 'release', nil) end
return freed
