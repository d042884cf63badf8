-- wrk script of the comparison suite: POSTs the bodies of $WRK_BODIES (one JSON per line) to
-- $WRK_PATH in turn, with the bearer token of $WRK_TOKEN, and writes wrk's summary and latency
-- percentiles as JSON to $WRK_OUT, so run.py reads numbers instead of parsing wrk's text.
local bodies = {}
for line in io.lines(os.getenv("WRK_BODIES")) do
  bodies[#bodies + 1] = line
end
local path = os.getenv("WRK_PATH")
local next_body = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("WRK_TOKEN")

function request()
  next_body = next_body % #bodies + 1
  return wrk.format(nil, path, nil, bodies[next_body])
end

function done(summary, latency, requests)
  local e = summary.errors
  local out = assert(io.open(os.getenv("WRK_OUT"), "w"))
  out:write(string.format(
    '{"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
  out:close()
end
