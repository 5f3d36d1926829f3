-- PUT /emails/ as a logged-in user, a different address on every request: the real path
-- (session lookup, CSRF, validation, one transaction with the outbox insert).
local sessions = {}
local counter = 0
local run = os.getenv("BENCH_RUN") or "0"
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  for line in io.lines(os.getenv("BENCH_SESSIONS")) do
    local session, csrf = line:match("(%S+) (%S+)")
    sessions[#sessions + 1] = { session, csrf }
  end
end

function request()
  counter = counter + 1
  local pair = sessions[(counter * 7 + id * 131) % #sessions + 1]
  local body = string.format('{"email":"r%st%dn%d@bench.com"}', run, id, counter)
  return wrk.format("PUT", "/emails/", {
    ["Cookie"] = "sessionid=" .. pair[1] .. "; csrftoken=" .. pair[2],
    ["X-CSRFToken"] = pair[2],
    ["Content-Type"] = "application/json",
  }, body)
end

-- With BENCH_WRK_STATS set (bench/run --soak), the run's figures go to that file as JSON when it
-- ends: requests, duration, errors, min/mean/max and a grid of latency percentiles (every 0.5 %
-- up to 95 %, every 0.01 % from there to 99.99 %), so slices run back to back can be merged into
-- the whole soak's percentiles to within one grid step, while each slice keeps its own exact
-- p50/p99. (wrk's stats API has no cheap way to hand over the raw histogram: latency(i) rescans it.)
local stats_path = os.getenv("BENCH_WRK_STATS")
if stats_path then
  function done(summary, latency, requests)
    local out = assert(io.open(stats_path, "w"))
    local e = summary.errors
    out:write(string.format(
      '{"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
        .. '"min_us":%d,"mean_us":%.1f,"max_us":%d,"percentiles":[',
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
      latency.min, summary.requests > 0 and latency.mean or 0, latency.max))
    local first = true
    local function point(p)
      out:write(string.format('%s[%.2f,%d]', first and "" or ",", p, latency:percentile(p)))
      first = false
    end
    for i = 1, 190 do point(i * 0.5) end
    for i = 9501, 9999 do point(i / 100) end -- p100 is max_us (percentile(100) answers 0)
    out:write("]}\n")
    out:close()
  end
end
