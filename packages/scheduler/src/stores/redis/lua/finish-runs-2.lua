--[[
  The finish side of a batch of runs, in one atomic step: frees each run's slot and appends its
  record to the job's bounded history (as release-slot-2 then record-run-2, per entry in order).
  KEYS[1]  {p}:slots   KEYS[2]  {p}:slot-data
  ARGV[1]  `{p}:js:`   ARGV[2]  `{p}:s:`   ARGV[3]  `{p}:h:`   ARGV[4]  channel   ARGV[5]  hint source
  ARGV[6]  '1' when this call retries one that may have been applied unanswered: a record the
           job's history already holds (LPOS within its limit) is not appended again
  ARGV[7]  the runs, packed in one string (one argument instead of four per run: see
           commit-2.lua); per run: `<n>:<job id><n>:<run id><n>:<record JSON><history limit>;`,
           each `<n>` the byte length of the string after its ':' (run id '' = no slot, record
           '' = none)
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
local packed = ARGV[7] or ''
-- Unpack and check every run first (one array per field), before the first write.
local function field(p)
  local len, from = string.match(packed, '^(%d+):()', p)
  if not len then return nil, p end
  local to = from + tonumber(len)
  return string.sub(packed, from, to - 1), to
end
local jobIds, runIds, records, limits = {}, {}, {}, {}
local pos, nRuns = 1, 0
while pos <= #packed do
  local jobId, runId, record, limit
  jobId, pos = field(pos)
  if jobId then runId, pos = field(pos) end
  if runId then record, pos = field(pos) end
  if record then limit, pos = string.match(packed, '^([^;]+);()', pos) end
  limit = tonumber(limit)
  if not limit then return -1 end
  nRuns = nRuns + 1
  jobIds[nRuns], runIds[nRuns], records[nRuns], limits[nRuns] = jobId, runId, record, limit
end
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
for i = 1, nRuns do
  local jobId, runId, record, limit = jobIds[i], runIds[i], records[i], limits[i]
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
