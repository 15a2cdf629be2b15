--[[
  Reads Redis's clock (TIME) in epoch milliseconds.
  KEYS[1]  any key of the namespace (`{p}:seq`), so Cluster routes the call to the namespace's node
  Returns  epoch ms (integer)
]]
return now_ms()
