--[[
  Gives claims back unchanged (this process has no handler); other owners may claim at once.
  KEYS[1]  {p}:due
  ARGV[1]  `{p}:s:`   ARGV[2]  channel   ARGV[3]  hint source   ARGV[4]  owner
  ARGV[5..] pairs: id, token
  Returns  number of claims released (a stale or missing one is ignored)
]]
local released = 0
for i = 5, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  local key = ARGV[1] .. id
  local f = redis.call('HMGET', key, 'token', 'cowner')
  if f[1] == token and f[2] == ARGV[4] then
    redis.call('HSET', key, 'cowner', '', 'lease', '')
    place_due(KEYS[1], key, id)
    released = released + 1
  end
end
if released > 0 then hint(ARGV[2], ARGV[3], 'release', #ARGV == 6 and ARGV[5] or nil) end
return released
