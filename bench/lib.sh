# Shared by the benchmark scripts (sourced, bash): waiting for a fraudidx-service started with
# --listen 127.0.0.1:0 to say which port it took.

# service_port LOG PID: prints the port once LOG says "listening on 127.0.0.1:PORT". Gives up
# (status 1, with the log on stderr) after 60 s or when PID has exited first.
service_port() {
    local log=$1 pid=$2 port
    for _ in $(seq 600); do
        port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$log" | cut -d: -f2 || true)
        if [ -n "$port" ]; then
            echo "$port"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$log" >&2
    echo "fraudidx-service did not start" >&2
    return 1
}
