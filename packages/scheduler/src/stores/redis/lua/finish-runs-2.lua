--[[
  The finish side of a batch of runs, in one atomic step: frees each run's slot and appends its
  record to the job's bounded history (as release-slot-2 then record-run-2, per entry in order).
  KEYS[1]  {p}:slots   KEYS[2]  {p}:slot-data
  ARGV[1]  `{p}:js:`   ARGV[2]  `{p}:s:`   ARGV[3]  `{p}:h:`   ARGV[4]  channel   ARGV[5]  hint source
  ARGV[6]  '1' when this call retries one that may have been applied unanswered: a record the
           job's history already holds (LPOS within its limit) is not appended again
  ARGV[7..] quadruples: job id, run id ('' = no slot), record JSON ('' = none), history limit
  Returns  number of slot entries removed (0: no entry held a slot), -1 bad arguments
  Cost per entry: ZREM of the job's slot set, HSET of `last`, LPUSH + LTRIM of the history (and
  on a retry one LPOS over at most `limit` records);
  {p}:slots and {p}:slot-data get one ZREM / HDEL per batch (per chunk of members). Nothing in
  between reads them, so removing them at the end is the same as removing them entry by entry.
]]
if (#ARGV - 6) % 4 ~= 0 then return -1 end
local retry = ARGV[6] == '1'
local freed = 0
local members = {}
for i = 7, #ARGV, 4 do
  local jobId, runId, record, limit = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  if not limit then return -1 end
  if runId ~= '' then
    freed = freed + redis.call('ZREM', ARGV[1] .. jobId, runId)
    members[#members + 1] = slot_member(jobId, runId)
  end
  if record ~= '' and not (retry and limit >= 1 and redis.call('LPOS', ARGV[3] .. jobId, record, 'MAXLEN', limit)) then
    record_run(ARGV[2] .. jobId, ARGV[3] .. jobId, record, limit)
  end
end
if #members > 0 then
  freed = freed + call_chunked('ZREM', KEYS[1], members, 4000)
  call_chunked('HDEL', KEYS[2], members, 4000)
end
if freed > 0 then hint(ARGV[4], ARGV[5], 'release', nil) end
return freed
