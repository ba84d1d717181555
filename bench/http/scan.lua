-- wrk script: POST /v1/scan with {"texts":[…]} of `items` posts picked at random from a posts
-- file (posts.py: one JSON string a line). A pool of bodies is built once per thread.
--   wrk -t1 -c50 -d10s -s scan.lua http://127.0.0.1:PORT -- POSTS ITEMS

local bodies, items = {}, 100
local POOL = 64

function init(args)
    local path = args[1] or error("usage: -- POSTS ITEMS")
    items = tonumber(args[2] or "100")
    local posts = {}
    for line in io.lines(path) do
        posts[#posts + 1] = line
    end
    math.randomseed(os.time() + tonumber(tostring(posts):match("0x(%x+)") or "0", 16) % 100000)
    for b = 1, POOL do
        local list = {}
        for i = 1, items do
            list[i] = posts[math.random(#posts)]
        end
        bodies[b] = '{"texts":[' .. table.concat(list, ",") .. ']}'
    end
end

function request()
    return wrk.format("POST", "/v1/scan", {["Content-Type"] = "application/json"},
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
