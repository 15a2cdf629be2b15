--[[
  Gives claims back unchanged (this process has no handler); other owners may claim at once.
  KEYS[1]  {p}:due    KEYS[2]  `{p}:oc:<owner>` (the owner's outstanding claims)
  ARGV[1]  `{p}:s:`   ARGV[2]  channel   ARGV[3]  hint source   ARGV[4]  owner
  ARGV[5..] pairs: id, token
  Returns  number of claims released (a stale or missing one, or one whose schedule key holds
           another type, is ignored)
           error XCORE_WRONGTYPE (see check_type) before any write when a shared key holds another type
]]
check_type(KEYS[1], 'zset')
check_type(KEYS[2], 'zset')
local released = 0
local ids = {}
for i = 5, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  local key = ARGV[1] .. id
  local f = redis.pcall('HMGET', key, 'token', 'cowner')
  if (not failed(f)) and f[1] == token and f[2] == ARGV[4] then
    redis.call('HSET', key, 'cowner', '', 'lease', '')
    place_due(KEYS[1], key, id)
    ids[#ids + 1] = id
    released = released + 1
  end
end
if released > 0 then
  call_chunked('ZREM', KEYS[2], ids, 4000)
  hint(ARGV[2], ARGV[3], 'release', #ARGV == 6 and ARGV[5] or nil)
end
return released
