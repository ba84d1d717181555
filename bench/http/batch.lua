-- wrk script: POST /v1/check with {"items":[…]} of `items` values picked at random from a query
-- list (see queries.awk; values are URL-decoded here). A pool of bodies is built once per
-- thread so that wrk spends its time sending, not building JSON. The X-Bench-Batch header lets
-- the nginx baseline answer with a body of the matching size (fraudidx ignores it).
--   wrk -t1 -c50 -d10s -s batch.lua http://127.0.0.1:PORT -- QUERIES ITEMS

local bodies, items = {}, 100
local POOL = 64

local function decode(s)
    return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

function init(args)
    local path = args[1] or error("usage: -- QUERIES ITEMS")
    items = tonumber(args[2] or "100")
    local queries = {}
    for line in io.lines(path) do
        queries[#queries + 1] = '"' .. decode(line) .. '"'
    end
    math.randomseed(os.time() + tonumber(tostring(queries):match("0x(%x+)") or "0", 16) % 100000)
    for b = 1, POOL do
        local list = {}
        for i = 1, items do
            list[i] = queries[math.random(#queries)]
        end
        bodies[b] = '{"items":[' .. table.concat(list, ",") .. ']}'
    end
end

function request()
    return wrk.format("POST", "/v1/check",
        {["Content-Type"] = "application/json", ["X-Bench-Batch"] = tostring(items)},
        bodies[math.random(POOL)])
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
