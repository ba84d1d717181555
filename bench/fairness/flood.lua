-- wrk script: POST /v1/check with one prepared body (the file given after --), again and again.
--   wrk -t1 -c4 -d10s -s flood.lua http://127.0.0.1:PORT -- BODY_FILE
local body

function init(args)
    local f = assert(io.open(args[1] or error("usage: -- BODY_FILE"), "rb"))
    body = f:read("*a")
    f:close()
end

function request()
    return wrk.format("POST", "/v1/check", {["Content-Type"] = "application/json"}, body)
end
