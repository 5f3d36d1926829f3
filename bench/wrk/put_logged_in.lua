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
