-- GET /emails/verification/?token=… with the tokens listed in BENCH_TOKENS, round robin.
local tokens = {}
local counter = 0
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    tokens[#tokens + 1] = line
  end
end

function request()
  counter = counter + 1
  return wrk.format("GET", "/emails/verification/?token=" .. tokens[(counter + id * 101) % #tokens + 1])
end
