--[[
  The finish side of a batch of runs, in one atomic step: frees each run's slot and appends its
  record to the job's bounded history (as release-slot-2 then record-run-2, per entry in order).
  KEYS[1]  {p}:slots   KEYS[2]  {p}:slot-data
  ARGV[1]  `{p}:js:`   ARGV[2]  `{p}:s:`   ARGV[3]  `{p}:h:`   ARGV[4]  channel   ARGV[5]  hint source
  ARGV[6]  '1' when this call retries one that may have been applied unanswered: a record the
           job's history already holds (LPOS within its limit) is not appended again
  ARGV[7..] quadruples: job id, run id ('' = no slot), record JSON ('' = none), history limit
  Returns  {freed, key, ...}: the number of slot entries removed (0: no entry held a slot), then
           each job key found holding another type (a history list or schedule hash: that
           entry's record is dropped, its slot still freed; a job slot set: not counted), once
           -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) before any write when {p}:slots or
           {p}:slot-data holds another type
  One job's key of the wrong type (written by something else) thus costs that job its records,
  not the whole batch: the batch is never refused, so the finished runs queued behind it are not
  held up and their slots are freed.
  Cost per entry: ZREM of the job's slot set, HSET of `last`, LPUSH + LTRIM of the history (and
  on a retry one LPOS over at most `limit` records);
  {p}:slots and {p}:slot-data get one ZREM / HDEL per batch (per chunk of members). Nothing in
  between reads them, so removing them at the end is the same as removing them entry by entry.
]]
if (#ARGV - 6) % 4 ~= 0 then return -1 end
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'hash')
local retry = ARGV[6] == '1'
local freed = 0
local members = {}
local out = {0}
local reported = {}
local function report(key)
  if not reported[key] then
    reported[key] = true
    out[#out + 1] = key
  end
end
for i = 7, #ARGV, 4 do
  local jobId, runId, record, limit = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  if not limit then return -1 end
  if runId ~= '' then
    local js = ARGV[1] .. jobId
    local removed = redis.pcall('ZREM', js, runId)
    if failed(removed) then report(js) else freed = freed + removed end
    members[#members + 1] = slot_member(jobId, runId)
  end
  if record ~= '' then
    local historyKey = ARGV[3] .. jobId
    local held = false
    if retry and limit >= 1 then
      held = redis.pcall('LPOS', historyKey, record, 'MAXLEN', limit)
    end
    if failed(held) then
      report(historyKey)
    elseif not held then
      local done = record_run(ARGV[2] .. jobId, historyKey, record, limit)
      if type(done) == 'string' then report(done) end
    end
  end
end
if #members > 0 then
  freed = freed + call_chunked('ZREM', KEYS[1], members, 4000)
  call_chunked('HDEL', KEYS[2], members, 4000)
end
if freed > 0 then hint(ARGV[4], ARGV[5], 'release', nil) end
out[1] = freed
return out
