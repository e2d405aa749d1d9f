-- 90 % GET /data/k<i>, 10 % POST /data replacing k<i>, i a random seeded key. Arguments: items, random seed.
local items
local n = 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  items = tonumber(args[1])
  math.randomseed(tonumber(args[2]))
end

function request()
  local key = "k" .. math.random(0, items - 1)
  if math.random() < 0.1 then
    n = n + 1
    return wrk.format("POST", "/data", headers, '{"key":"' .. key .. '","value":{"n":' .. n .. ',"text":"benchmark"}}')
  end
  return wrk.format("GET", "/data/" .. key)
end
