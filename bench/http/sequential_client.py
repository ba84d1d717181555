#!/usr/bin/env python3
"""Sends a fixed number of requests to fraudidx-service over one keep-alive connection, one
after the other, and checks each answer is 200 (bench/http/instructions.sh). The work is the
same on every run, so instruction counts (callgrind) compare builds exactly.

  sequential_client.py PORT QUERIES N get          # GET /v1/check?q=<query i>
  sequential_client.py PORT QUERIES N batch ITEMS  # POST /v1/check of ITEMS queries each
  sequential_client.py PORT POSTS N scan ITEMS     # POST /v1/scan of ITEMS posts each (posts.py)
"""
import http.client
import json
import sys
import urllib.parse


def main():
    port, path, n, mode = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    items = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    with open(path) as f:
        queries = [line.strip() for line in f if line.strip()]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for i in range(n):
        if mode == "get":
            conn.request("GET", "/v1/check?q=" + queries[i % len(queries)])
        elif mode == "scan":
            texts = [json.loads(queries[(i * items + j) % len(queries)]) for j in range(items)]
            # UTF-8 as it is, as the clients send it (clients/python, clients/js)
            conn.request("POST", "/v1/scan",
                         body=json.dumps({"texts": texts}, ensure_ascii=False).encode(),
                         headers={"Content-Type": "application/json"})
        else:
            batch = [urllib.parse.unquote(queries[(i * items + j) % len(queries)])
                     for j in range(items)]
            conn.request("POST", "/v1/check", body=json.dumps({"items": batch}),
                         headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            sys.exit("request %d: status %d: %.200r" % (i, resp.status, body))
    conn.close()


if __name__ == "__main__":
    main()
