"""Start-up time, memory and reload time of fraudidx-service on a snapshot, per --load mode
(bench/RESULTS.md, "Serving a private copy of the snapshot").

    python3 bench/snapshot_copy.py csv OUT.csv        # 1,000,000 rows: phones, domains, banks
    python3 bench/snapshot_copy.py run SERVICE SNAPSHOT [MODE...]
"""
import signal
import subprocess
import sys
import tempfile
import time


def write_csv(path):
    with open(path, "w") as f:
        f.write("kind,value,status,categories,source,reports,first_seen,last_seen\n")
        for i in range(800000):
            f.write("phone,+849%08d,reported,task_job,community,%d,2024-01-01,2024-02-01\n"
                    % (i * 7, i % 300))
        for i in range(100000):
            f.write("domain,scam%d.example,confirmed,phishing,police,1,2024-01-01,2024-02-01\n" % i)
        for i in range(100000):
            f.write("bank_account,970436:%010d,reported,investment,bank,2,2024-01-01,2024-02-01\n"
                    % i)


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile"):
                out[k] = int(v.split()[0]) // 1024
    return out


def wait_line(p, word):
    for line in p.stderr:
        if word in line:
            return


def run(service, snap, modes):
    for mode in modes:
        for _ in range(3):
            d = tempfile.mkdtemp(prefix="fidx-m-")
            t0 = time.monotonic()
            p = subprocess.Popen([service, "--snapshot", snap, "--listen", "127.0.0.1:0",
                                  "--threads", "2", "--load", mode, "--data-dir", d,
                                  "--watch-interval", "0"], stderr=subprocess.PIPE, text=True)
            wait_line(p, "listening on")
            t_start = time.monotonic() - t0
            time.sleep(0.3)
            st = status(p.pid)
            t1 = time.monotonic()
            p.send_signal(signal.SIGHUP)
            wait_line(p, "reloaded")
            t_reload = time.monotonic() - t1
            p.send_signal(signal.SIGTERM)
            p.wait(20)
            print("%-9s start %.3f s  reload %.3f s  RSS %d MiB (anon %d, file %d)"
                  % (mode, t_start, t_reload, st["VmRSS"], st["RssAnon"], st["RssFile"]))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "csv":
        write_csv(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4:] or ["populate", "resident"])
    else:
        sys.exit(__doc__)
