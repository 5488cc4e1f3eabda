-- wrk script: GET the paths listed in a file, one per line, round robin
-- (each thread starts at a different line).
-- Usage: wrk ... -s bench/http/paths.lua http://HOST:PORT -- PATHS_FILE
local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("no paths in " .. args[1])
  end
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
