-- wrk script: single-row POST /v1/admin/indicators, each request a new phone number, so that
-- every answer waits for its own row to be fsynced (concurrent ones share fsyncs: group
-- commit). done() prints one RESULT line that run.sh collects.
--   wrk -t2 -c64 -d10s -s single.lua http://127.0.0.1:PORT -- TOKEN FIRST

local token, first, counter, id = "", 0, 0, 0
local threads = {}

function setup(thread)
    thread:set("id", #threads)
    threads[#threads + 1] = thread
end

function init(args)
    token = args[1] or error("usage: -- TOKEN FIRST")
    first = tonumber(args[2] or "0")
end

function request()
    counter = counter + 1
    local n = first + id * 1000000 + counter
    local body = "kind,value,status\nphone,+8496" .. string.format("%07d", n % 10000000) ..
                     ",confirmed\n"
    return wrk.format("POST", "/v1/admin/indicators",
                      {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "text/csv"},
                      body)
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "RESULT requests=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
        "connect=%d read=%d write=%d status=%d timeout=%d\n",
        summary.requests, summary.requests / (summary.duration / 1e6),
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
        e.connect, e.read, e.write, e.status, e.timeout))
end
