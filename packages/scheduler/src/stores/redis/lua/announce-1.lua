--[[
  Announces or renews a process's presence (Store.announce), and forgets lapsed ones.
  KEYS[1]  {p}:procs (owner ids scored by when their presence lapses)
  ARGV[1]  `{p}:proc-info`   ARGV[2]  owner   ARGV[3]  info JSON   ARGV[4]  ttl ms (>= 1)
  Returns  1
           -1 bad arguments
           error XCORE_WRONGTYPE (see check_type) before any write when a key holds another type
]]
local ttl = tonumber(ARGV[4])
if not ttl or ttl < 1 then return -1 end
check_type(KEYS[1], 'zset')
check_type(ARGV[1], 'hash')
local now = now_ms()
for _, owner in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', s(now))) do
  redis.call('HDEL', ARGV[1], owner)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', s(now))
redis.call('ZADD', KEYS[1], s(now + ttl), ARGV[2])
redis.call('HSET', ARGV[1], ARGV[2], ARGV[3])
return 1
