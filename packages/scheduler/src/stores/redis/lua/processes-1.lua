--[[
  The processes whose presence has not lapsed (Store.processes).
  KEYS[1]  {p}:procs
  ARGV[1]  `{p}:proc-info`
  Returns  {owner, expiresAt, info JSON, ...} by owner id
           error XCORE_WRONGTYPE (see check_type) when a key holds another type
]]
check_type(KEYS[1], 'zset')
check_type(ARGV[1], 'hash')
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. s(now_ms()), '+inf', 'WITHSCORES')
local out = {}
for i = 1, #live, 2 do
  local info = redis.call('HGET', ARGV[1], live[i])
  if info then
    out[#out + 1] = live[i]
    out[#out + 1] = live[i + 1]
    out[#out + 1] = info
  end
end
return out
