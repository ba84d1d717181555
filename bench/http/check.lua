-- wrk script: GET /v1/check?q=VALUE with VALUE picked at random from a query list (one
-- URL-encoded value a line, see queries.awk), `depth` requests per write (1: plain keep-alive,
-- 16: pipelined). done() prints one RESULT line that run.sh collects.
--   wrk -t1 -c50 -d10s -s check.lua http://127.0.0.1:PORT -- QUERIES [DEPTH]

local queries, depth = {}, 1

function init(args)
    local path = args[1] or error("usage: -- QUERIES [DEPTH]")
    depth = tonumber(args[2] or "1")
    for line in io.lines(path) do
        queries[#queries + 1] = line
    end
    if #queries == 0 then
        error("no queries in " .. path)
    end
    -- Each wrk thread has its own Lua state: seed it differently.
    math.randomseed(os.time() + tonumber(tostring(queries):match("0x(%x+)") or "0", 16) % 100000)
end

local function one()
    return wrk.format("GET", "/v1/check?q=" .. queries[math.random(#queries)])
end

function request()
    if depth == 1 then
        return one()
    end
    local reqs = {}
    for i = 1, depth do
        reqs[i] = one()
    end
    return table.concat(reqs)
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d max_us=%d " ..
        "connect=%d read=%d write=%d status=%d timeout=%d bytes=%d\n",
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
        latency:percentile(50), latency:percentile(99), latency.max,
        e.connect, e.read, e.write, e.status, e.timeout, summary.bytes))
end
