--[[
  Withdraws a process's presence (Store.leave).
  KEYS[1]  {p}:procs
  ARGV[1]  `{p}:proc-info`   ARGV[2]  owner
  Returns  1 when it was present, else 0
           error XCORE_WRONGTYPE (see check_type) before any write when a key holds another type
]]
check_type(KEYS[1], 'zset')
check_type(ARGV[1], 'hash')
redis.call('HDEL', ARGV[1], ARGV[2])
return redis.call('ZREM', KEYS[1], ARGV[2])
