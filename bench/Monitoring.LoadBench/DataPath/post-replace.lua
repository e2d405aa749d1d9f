-- POST /data of a random seeded key: a replace. Arguments: items, random seed.
local items
local n = 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  items = tonumber(args[1])
  math.randomseed(tonumber(args[2]))
end

function request()
  n = n + 1
  return wrk.format("POST", "/data", headers,
    '{"key":"k' .. math.random(0, items - 1) .. '","value":{"n":' .. n .. ',"text":"benchmark"}}')
end
