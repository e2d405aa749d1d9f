-- POST /data of a key never written before: the prefix is new for every window, the counter for every request.
-- Arguments: key prefix.
local prefix
local n = 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  prefix = args[1]
end

function request()
  n = n + 1
  return wrk.format("POST", "/data", headers,
    '{"key":"' .. prefix .. n .. '","value":{"n":' .. n .. ',"text":"benchmark"}}')
end
