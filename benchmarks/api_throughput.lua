-- wrk script: POST /api/v2/time_entries with one key, counting answers by status.
-- The body and headers come from the environment (set by api_throughput.py).
wrk.method = "POST"
wrk.body = os.getenv("KEITO_BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEITO_BENCH_KEY")
wrk.headers["Keito-Account-Id"] = os.getenv("KEITO_BENCH_ACCOUNT")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

-- With KEITO_BENCH_IDEMPOTENCY=1 every request carries its own Idempotency-Key, as the SDKs send
-- (KEITO_BENCH_RUN keeps the keys of the warm-up and the measured run apart).
if os.getenv("KEITO_BENCH_IDEMPOTENCY") == "1" then
  local sent = 0
  function request()
    sent = sent + 1
    local headers = {}
    for k, v in pairs(wrk.headers) do headers[k] = v end
    headers["Idempotency-Key"] = string.format("bench-%s-%d-%d", os.getenv("KEITO_BENCH_RUN") or "0", tid, sent)
    return wrk.format(nil, nil, headers)
  end
end

function init(args)
  created = 0
  other = 0
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  io.write(string.format("KEITO created=%d other=%d p50_us=%d p90_us=%d p99_us=%d\n", c, o,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
