-- GET /data/k<i> of a random seeded key. Arguments: items, random seed.
local items

function init(args)
  items = tonumber(args[1])
  math.randomseed(tonumber(args[2]))
end

function request()
  return wrk.format("GET", "/data/k" .. math.random(0, items - 1))
end
