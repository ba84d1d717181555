/* fraudidx-service: command-line flags, --help, and the exit codes (0 success, 1 runtime
 * failure, 2 usage error). Everything else is in server.c. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "reports/ratelimit.h"
#include "admin/admin.h"
#include "reports/reports.h"
#include "service.h"

static const char usage_text[] =
    "Usage: fraudidx-service --snapshot FILE.fidx [--listen HOST:PORT] [options]\n"
    "\n"
    "Serves the fraud-indicator lookup API over HTTP/1.1 (see docs/SERVICE.md).\n"
    "\n"
    "  -s, --snapshot FILE        snapshot to serve (required); reloaded on SIGHUP and when\n"
    "                             the file is replaced\n"
    "  -l, --listen HOST:PORT     address to listen on (default 127.0.0.1:8080); IPv6 as\n"
    "                             [ADDR]:PORT, all interfaces as :PORT; port 0 picks a free\n"
    "                             port (the log line \"listening on ...\" tells which)\n"
    "  -t, --threads N            event-loop threads (default: one per core)\n"
    "      --load MODE            populate (default: copy the file into memory at load) or\n"
    "                             resident (copy into huge-page-backed memory); lazy is\n"
    "                             populate (the file is never served mapped)\n"
    "      --max-header-bytes N   request line and headers (default 8K; 413)\n"
    "      --max-body-bytes N     request body (default 1M; 413)\n"
    "      --max-batch N          items in one POST /v1/check (default 1000; 413)\n"
    "      --max-connections N    open connections per process (default 10000; 503)\n"
    "      --max-pipeline N       answered requests queued for a client that is not reading\n"
    "                             before the connection stops reading (default 64)\n"
    "      --header-timeout SEC   to receive a request's headers (default 10; 408)\n"
    "      --body-timeout SEC     to receive a request's body (default 30; 408)\n"
    "      --idle-timeout SEC     keep-alive connection idle, or client not reading\n"
    "                             (default 60; closed)\n"
    "      --drain-timeout SEC    on SIGTERM, for requests in flight (default 10)\n"
    "      --watch-interval SEC   how often to stat the snapshot file (default 1; 0: never)\n"
    "      --access-log FILE      append one line per request (no query strings)\n"
    "      --data-dir DIR         where reports and the analysts' files are kept\n"
    "                             (default ./fraudidx-data; created with mode 0700)\n"
    "      --report-rate N[/UNIT] citizens' reports per client address, UNIT s, min, h\n"
    "                             or d (default 10/h; 0: no limit; 429 beyond)\n"
    "      --report-burst N       reports a client address may send at once (default 5)\n"
    "      --report-global-rate N[/UNIT]  reports from everyone together (default\n"
    "                             3600/h; 429 beyond)\n"
    "      --report-global-burst N  of those, at once (default 300)\n"
    "      --max-pending-reports N  reports waiting for review before new ones are\n"
    "                             refused (default 10000; 503)\n"
    "      --max-pending-per-network N  of those, from one IPv6 /48 or IPv4 /24\n"
    "                             (default 100; 429)\n"
    "      --api-keys FILE        bots' API keys, one NAME KEY [RATE] per line (KEY the key\n"
    "                             or sha256:HEX of it; RATE N[/UNIT], default 600/min; the\n"
    "                             file must not be readable by group or others); a key's\n"
    "                             requests have a limit of their own, its name goes on its\n"
    "                             reports; re-read on SIGHUP\n"
    "      --lookup-rate N[/UNIT] anonymous lookups (/v1/check, /v1/scan) per client address\n"
    "                             (IPv6 /64; a /48 or IPv4 /24: 4 times that), UNIT s, min,\n"
    "                             h or d (default 1200/min; 0: no limit; 429 beyond)\n"
    "      --lookup-burst N       of those, at once (default 300)\n"
    "      --lookup-limits on|off  off: lookups are never limited (loopback never is,\n"
    "                             unless through a trusted proxy)\n"
    "      --trusted-proxy ADDR[/PREFIX]  a reverse proxy in front whose X-Forwarded-For\n"
    "                             and X-Forwarded-Proto are believed (repeatable; IPv4 or\n"
    "                             IPv6, a network with /PREFIX); the client is then the\n"
    "                             right-most address of X-Forwarded-For not so listed\n"
    "      --tokens FILE          analysts' tokens, one NAME SECRET [ROLE] per line (SECRET\n"
    "                             the token or sha256:HEX of it; ROLE admin (default),\n"
    "                             analyst, reviewer, feeder, reader or replica; the file must\n"
    "                             not be readable by group or others); without it every\n"
    "                             admin call is 401\n"
    "      --max-admin-body-bytes N  body of an analyst's request (default 256M; 413)\n"
    "      --session-idle SEC     the console (/admin/): a session unused this long ends\n"
    "                             (default 1800)\n"
    "      --session-max SEC      every session ends this long after its sign-in\n"
    "                             (default 43200)\n"
    "      --signin-rate N[/UNIT] failed console sign-ins per client network (IPv6 /64,\n"
    "                             IPv4 /24), 5 at once at most (default 10/h; 429 beyond)\n"
    "      --repair-wal           cut the data directory's write-ahead log at its first\n"
    "                             damage (keeping copies as *.damaged) and exit\n"
    "\nReplication (a writer and the readers that follow it):\n"
    "      --follow URL           be a reader of the writer at URL (http://HOST:PORT or\n"
    "                             https://…): bootstrap from its snapshot into --data-dir,\n"
    "                             apply its changes, serve lookups; writes answer 503\n"
    "                             not_writer. --snapshot is then not needed\n"
    "      --follow-token-file FILE  the token (role replica) the reader presents; the\n"
    "                             file must not be readable by group or others\n"
    "      --max-lag SEC          a reader's /healthz answers 503 while it is more than\n"
    "                             this behind the writer (default 30)\n"
    "      --sync-replicas N      a writer answers a change only once N readers have\n"
    "                             applied it durably (default 0: do not wait)\n"
    "      --sync-timeout-ms MS   how long it waits for them before answering 503\n"
    "                             replication_timeout (default 5000; the change is kept)\n"
    "      --keep-log SEC         log segments folded by a compaction are kept this long\n"
    "                             for readers behind (default 600; 0: deleted at once)\n"
    "\nImages (POST /v1/image):\n"
    "      --image-threads N      threads that read images, each with its own OCR engine\n"
    "                             (default 2; 0: no images, the route answers 503)\n"
    "      --image-queue N        images that may wait for a thread besides those being\n"
    "                             read (default 8; 503 with Retry-After beyond)\n"
    "      --image-timeout SEC    time limit per image, waiting included (default 10)\n"
    "      --image-nice N         the image threads' nice value, 0-19 (default 19: lookups\n"
    "                             keep the CPU first)\n"
    "      --operator-name TEXT   who runs this service, named at the foot of the\n"
    "                             citizens' page (one line, at most 200 bytes)\n"
    "      --operator-url URL     how to reach them: https://, http://, mailto: or tel:\n"
    "                             (at most 512 bytes), linked from that name\n"
    "  -h, --help                 this help\n"
    "  -V, --version              version\n"
    "\n"
    "Sizes take a K or M suffix (x1024). Seconds may have a fraction (0.5).\n"
    "Signals: SIGHUP reloads the snapshot; SIGTERM or SIGINT finishes the requests in\n"
    "flight and exits 0 (a second one ends the process at once).\n"
    "Exit status: 0 on success, 1 on a runtime failure, 2 on a usage error.\n";

enum {
    OPT_MAX_HEADER = 256,
    OPT_MAX_BODY,
    OPT_MAX_BATCH,
    OPT_MAX_CONNS,
    OPT_MAX_PIPELINE,
    OPT_HEADER_TIMEOUT,
    OPT_BODY_TIMEOUT,
    OPT_IDLE_TIMEOUT,
    OPT_DRAIN_TIMEOUT,
    OPT_WATCH,
    OPT_ACCESS_LOG,
    OPT_LOAD,
    OPT_DATA_DIR,
    OPT_REPORT_RATE,
    OPT_REPORT_BURST,
    OPT_MAX_PENDING_REPORTS,
    OPT_TOKENS,
    OPT_MAX_ADMIN_BODY,
    OPT_REPAIR_WAL,
    OPT_REPORT_GLOBAL_RATE,
    OPT_REPORT_GLOBAL_BURST,
    OPT_MAX_PENDING_PER_NET,
    OPT_FOLLOW,
    OPT_FOLLOW_TOKEN,
    OPT_MAX_LAG,
    OPT_SYNC_REPLICAS,
    OPT_SYNC_TIMEOUT,
    OPT_KEEP_LOG,
    OPT_OPERATOR_NAME,
    OPT_OPERATOR_URL,
    OPT_IMAGE_THREADS,
    OPT_IMAGE_QUEUE,
    OPT_IMAGE_TIMEOUT,
    OPT_SESSION_IDLE,
    OPT_SESSION_MAX,
    OPT_SIGNIN_RATE,
    OPT_IMAGE_NICE,
    OPT_TRUSTED_PROXY,
    OPT_API_KEYS,
    OPT_LOOKUP_RATE,
    OPT_LOOKUP_BURST,
    OPT_LOOKUP_LIMITS,
};

static const struct option long_options[] = {
    {"snapshot", required_argument, NULL, 's'},
    {"listen", required_argument, NULL, 'l'},
    {"threads", required_argument, NULL, 't'},
    {"max-header-bytes", required_argument, NULL, OPT_MAX_HEADER},
    {"max-body-bytes", required_argument, NULL, OPT_MAX_BODY},
    {"max-batch", required_argument, NULL, OPT_MAX_BATCH},
    {"max-connections", required_argument, NULL, OPT_MAX_CONNS},
    {"max-pipeline", required_argument, NULL, OPT_MAX_PIPELINE},
    {"header-timeout", required_argument, NULL, OPT_HEADER_TIMEOUT},
    {"body-timeout", required_argument, NULL, OPT_BODY_TIMEOUT},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"drain-timeout", required_argument, NULL, OPT_DRAIN_TIMEOUT},
    {"watch-interval", required_argument, NULL, OPT_WATCH},
    {"access-log", required_argument, NULL, OPT_ACCESS_LOG},
    {"load", required_argument, NULL, OPT_LOAD},
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
    {"report-rate", required_argument, NULL, OPT_REPORT_RATE},
    {"report-burst", required_argument, NULL, OPT_REPORT_BURST},
    {"max-pending-reports", required_argument, NULL, OPT_MAX_PENDING_REPORTS},
    {"report-global-rate", required_argument, NULL, OPT_REPORT_GLOBAL_RATE},
    {"report-global-burst", required_argument, NULL, OPT_REPORT_GLOBAL_BURST},
    {"max-pending-per-network", required_argument, NULL, OPT_MAX_PENDING_PER_NET},
    {"tokens", required_argument, NULL, OPT_TOKENS},
    {"max-admin-body-bytes", required_argument, NULL, OPT_MAX_ADMIN_BODY},
    {"repair-wal", no_argument, NULL, OPT_REPAIR_WAL},
    {"follow", required_argument, NULL, OPT_FOLLOW},
    {"follow-token-file", required_argument, NULL, OPT_FOLLOW_TOKEN},
    {"max-lag", required_argument, NULL, OPT_MAX_LAG},
    {"session-idle", required_argument, NULL, OPT_SESSION_IDLE},
    {"session-max", required_argument, NULL, OPT_SESSION_MAX},
    {"signin-rate", required_argument, NULL, OPT_SIGNIN_RATE},
    {"sync-replicas", required_argument, NULL, OPT_SYNC_REPLICAS},
    {"sync-timeout-ms", required_argument, NULL, OPT_SYNC_TIMEOUT},
    {"keep-log", required_argument, NULL, OPT_KEEP_LOG},
    {"operator-name", required_argument, NULL, OPT_OPERATOR_NAME},
    {"operator-url", required_argument, NULL, OPT_OPERATOR_URL},
    {"image-threads", required_argument, NULL, OPT_IMAGE_THREADS},
    {"image-queue", required_argument, NULL, OPT_IMAGE_QUEUE},
    {"image-timeout", required_argument, NULL, OPT_IMAGE_TIMEOUT},
    {"image-nice", required_argument, NULL, OPT_IMAGE_NICE},
    {"trusted-proxy", required_argument, NULL, OPT_TRUSTED_PROXY},
    {"api-keys", required_argument, NULL, OPT_API_KEYS},
    {"lookup-rate", required_argument, NULL, OPT_LOOKUP_RATE},
    {"lookup-burst", required_argument, NULL, OPT_LOOKUP_BURST},
    {"lookup-limits", required_argument, NULL, OPT_LOOKUP_LIMITS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "fraudidx-service: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'fraudidx-service --help'.\n");
    return 2;
}

/* A whole number in [min, max], with an optional K or M suffix when sized. */
static int parse_count(const char *s, int sized, unsigned long long min, unsigned long long max,
                       unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s[0] || s[0] == '-' || s[0] == '+')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    if (sized && (*end == 'k' || *end == 'K'))
        v = v > ULLONG_MAX / 1024 ? ULLONG_MAX : v * 1024, end++;
    else if (sized && (*end == 'm' || *end == 'M'))
        v = v > ULLONG_MAX / 1048576 ? ULLONG_MAX : v * 1048576, end++;
    if (*end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Seconds (fraction allowed) in [min_ms, max_ms] milliseconds. */
static int parse_seconds(const char *s, uint64_t min_ms, uint64_t max_ms, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s[0] || s[0] == '-' || s[0] == '+')
        return -1;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    double ms = v * 1000.0;
    if (ms < (double)min_ms || ms > (double)max_ms)
        return -1;
    *out = (uint64_t)ms;
    return 0;
}

/* HOST:PORT, [V6]:PORT, :PORT (all interfaces) or localhost:PORT. */
static int parse_listen(const char *s, struct sockaddr_storage *ss)
{
    char host[64];
    const char *colon;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
            return -1;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof host)
            return -1;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    unsigned long long port;
    if (parse_count(colon + 1, 0, 0, 65535, &port) != 0)
        return -1;
    if (host[0] == '\0')
        strcpy(host, "0.0.0.0");
    else if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    memset(ss, 0, sizeof *ss);
    if (s[0] == '[')
        return uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)ss) == 0 ? 0 : -1;
    return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss) == 0 ? 0 : -1;
}

static int parse_load(const char *s, int *mode)
{
    /* The service never serves a mapping of the file: truncating or writing over the file in
     * place would then crash it or change its answers. "lazy" stays accepted for existing
     * configurations and copies, as "populate" does. */
    if (strcmp(s, "lazy") == 0 || strcmp(s, "populate") == 0)
        *mode = FIDX_OPEN_POPULATE;
    else if (strcmp(s, "resident") == 0)
        *mode = FIDX_OPEN_RESIDENT;
    else
        return -1;
    return 0;
}

/* One numeric flag; returns 0 or the usage error's exit code. */
static int numeric_flag(fidx__config_t *cfg, int opt, const char *arg)
{
    unsigned long long v = 0;
    int bad = 0;
    switch (opt) {
    case 't':
        bad = parse_count(arg, 0, 1, 1024, &v) || ((cfg->threads = (unsigned)v), 0);
        break;
    case OPT_MAX_HEADER: /* http_parser_parse_url offsets are 16-bit */
        bad = parse_count(arg, 1, 1024, 65535, &v) || ((cfg->max_header_bytes = v), 0);
        break;
    case OPT_MAX_BODY:
        bad = parse_count(arg, 1, 1024, 256ull << 20, &v) || ((cfg->max_body_bytes = v), 0);
        break;
    case OPT_MAX_BATCH:
        bad = parse_count(arg, 0, 1, 100000, &v) || ((cfg->max_batch = v), 0);
        break;
    case OPT_MAX_CONNS:
        bad = parse_count(arg, 0, 1, 1000000, &v) || ((cfg->max_connections = (unsigned)v), 0);
        break;
    case OPT_MAX_PIPELINE:
        bad = parse_count(arg, 0, 1, 10000, &v) || ((cfg->max_pipeline = (unsigned)v), 0);
        break;
    case OPT_HEADER_TIMEOUT:
        bad = parse_seconds(arg, 1, 86400000, &cfg->header_timeout_ms);
        break;
    case OPT_IMAGE_THREADS:
        bad = parse_count(arg, 0, 0, 64, &v) || ((cfg->image_threads = (unsigned)v), 0);
        break;
    case OPT_IMAGE_QUEUE:
        bad = parse_count(arg, 0, 0, 10000, &v) || ((cfg->image_queue = (unsigned)v), 0);
        break;
    case OPT_IMAGE_NICE:
        bad = parse_count(arg, 0, 0, 19, &v) || ((cfg->image_nice = (unsigned)v), 0);
        break;
    case OPT_IMAGE_TIMEOUT:
        bad = parse_seconds(arg, 100, 600000, &cfg->image_timeout_ms);
        break;
    case OPT_BODY_TIMEOUT:
        bad = parse_seconds(arg, 1, 86400000, &cfg->body_timeout_ms);
        break;
    case OPT_IDLE_TIMEOUT:
        bad = parse_seconds(arg, 1, 86400000, &cfg->idle_timeout_ms);
        break;
    case OPT_DRAIN_TIMEOUT:
        bad = parse_seconds(arg, 0, 3600000, &cfg->drain_timeout_ms);
        break;
    case OPT_REPORT_RATE:
        bad = fidx__ratelimit_parse_rate(arg, &cfg->report_rate, &cfg->report_period_s);
        break;
    case OPT_REPORT_BURST:
        bad = parse_count(arg, 0, 1, 1000000, &v) || ((cfg->report_burst = (uint32_t)v), 0);
        break;
    case OPT_MAX_PENDING_REPORTS:
        bad = parse_count(arg, 0, 1, 10000000, &v) || ((cfg->max_pending_reports = v), 0);
        break;
    case OPT_REPORT_GLOBAL_RATE:
        bad =
            fidx__ratelimit_parse_rate(arg, &cfg->report_global_rate, &cfg->report_global_period_s);
        break;
    case OPT_REPORT_GLOBAL_BURST:
        bad = parse_count(arg, 0, 1, 1000000, &v) || ((cfg->report_global_burst = (uint32_t)v), 0);
        break;
    case OPT_MAX_PENDING_PER_NET:
        bad = parse_count(arg, 0, 1, 10000000, &v) || ((cfg->max_pending_per_network = v), 0);
        break;
    case OPT_LOOKUP_RATE:
        bad = fidx__ratelimit_parse_rate(arg, &cfg->lookup_rate, &cfg->lookup_period_s);
        break;
    case OPT_LOOKUP_BURST:
        bad = parse_count(arg, 0, 1, 1000000, &v) || ((cfg->lookup_burst = (uint32_t)v), 0);
        break;
    case OPT_MAX_ADMIN_BODY:
        bad = parse_count(arg, 1, 1024, 1ull << 30, &v) || ((cfg->max_admin_body_bytes = v), 0);
        break;
    case OPT_MAX_LAG:
        bad = parse_seconds(arg, 1, 86400000, &cfg->max_lag_ms);
        break;
    case OPT_SESSION_IDLE:
        bad = parse_seconds(arg, 1, 86400000, &cfg->session_idle_ms);
        break;
    case OPT_SESSION_MAX:
        bad = parse_seconds(arg, 1, 30 * 86400000ull, &cfg->session_max_ms);
        break;
    case OPT_SIGNIN_RATE:
        bad = fidx__ratelimit_parse_rate(arg, &cfg->signin_rate, &cfg->signin_period_s);
        break;
    case OPT_SYNC_REPLICAS:
        bad = parse_count(arg, 0, 0, 64, &v) || ((cfg->sync_replicas = (unsigned)v), 0);
        break;
    case OPT_SYNC_TIMEOUT:
        bad = parse_count(arg, 0, 1, 3600000, &v) || ((cfg->sync_timeout_ms = v), 0);
        break;
    case OPT_KEEP_LOG:
        bad = parse_seconds(arg, 0, 30 * 86400000ull, &cfg->keep_log_ms);
        break;
    default: /* OPT_WATCH */
        bad = parse_seconds(arg, 0, 3600000, &cfg->watch_interval_ms);
        break;
    }
    if (!bad)
        return 0;
    for (const struct option *o = long_options; o->name; o++)
        if (o->val == opt)
            fprintf(stderr, "fraudidx-service: invalid value '%s' for --%s\n", arg, o->name);
    fprintf(stderr, "Try 'fraudidx-service --help'.\n");
    return 2;
}

/* The replication flags together: a reader (--follow) has a writer's URL and a token, and
 * takes no analysts' tokens (promotion is --tokens without --follow); only a writer waits
 * for readers. Returns 0 or the usage error's exit code. */
static int replication_flags(fidx__config_t *cfg)
{
    const char *u = cfg->follow_url;
    if (!u)
        return cfg->follow_token_path ? usage_error("%s", "--follow-token-file needs --follow") : 0;
    size_t n = strlen(u);
    if ((strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) || n <= 8 || n > 1024 ||
        strpbrk(u, " \t\r\n?#"))
        return usage_error("invalid --follow URL '%s' (http://HOST:PORT or https://HOST)", u);
    if (!cfg->follow_token_path)
        return usage_error("%s", "--follow needs --follow-token-file FILE");
    if (cfg->tokens_path)
        return usage_error("%s", "--follow and --tokens together: a reader takes no analysts' "
                                 "changes (to promote a reader, start it with --tokens and "
                                 "without --follow)");
    if (cfg->sync_replicas)
        return usage_error("%s", "--sync-replicas is for a writer, not a reader (--follow)");
    return 0;
}

int main(int argc, char **argv)
{
    fidx__config_t cfg;
    int opt;
    fidx__config_defaults(&cfg);
    while ((opt = getopt_long(argc, argv, "s:l:t:hV", long_options, NULL)) != -1) {
        int r = 0;
        switch (opt) {
        case 's':
            cfg.snapshot_path = optarg;
            break;
        case 'l':
            cfg.listen = optarg;
            break;
        case OPT_ACCESS_LOG:
            cfg.access_log = optarg;
            break;
        case OPT_TOKENS:
            cfg.tokens_path = optarg;
            break;
        case OPT_REPAIR_WAL:
            cfg.repair_wal = 1;
            break;
        case OPT_FOLLOW:
            /* Without trailing '/': the routes' paths are appended to it. */
            for (size_t n = strlen(optarg); n > 0 && optarg[n - 1] == '/'; n--)
                optarg[n - 1] = '\0';
            cfg.follow_url = optarg;
            break;
        case OPT_FOLLOW_TOKEN:
            cfg.follow_token_path = optarg;
            break;
        case OPT_OPERATOR_NAME:
            if (fidx__config_operator_name(optarg) != 0)
                return usage_error("--operator-name must be one line of text, 1 to %s bytes",
                                   "200");
            cfg.operator_name = optarg;
            break;
        case OPT_OPERATOR_URL:
            if (fidx__config_operator_url(optarg) != 0)
                return usage_error("--operator-url must start with https://, http://, mailto: "
                                   "or tel:, without spaces, at most %s bytes",
                                   "512");
            cfg.operator_url = optarg;
            break;
        case OPT_API_KEYS:
            cfg.api_keys_path = optarg;
            break;
        case OPT_LOOKUP_LIMITS:
            if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
                return usage_error("invalid value '%s' for --lookup-limits (on or off)", optarg);
            cfg.lookup_limits = strcmp(optarg, "on") == 0;
            break;
        case OPT_TRUSTED_PROXY:
            if (cfg.n_trusted_proxies == FIDX__TRUSTED_PROXIES_MAX)
                return usage_error("--trusted-proxy given more than %s times", "64");
            if (fidx__net_parse(optarg, &cfg.trusted_proxies[cfg.n_trusted_proxies]) != 0)
                return usage_error("invalid --trusted-proxy '%s' (an IPv4 or IPv6 address, "
                                   "or a network ADDR/PREFIX without host bits)",
                                   optarg);
            cfg.n_trusted_proxies++;
            break;
        case OPT_DATA_DIR:
            if (!optarg[0])
                return usage_error("%s", "--data-dir must not be empty");
            cfg.data_dir = optarg;
            break;
        case OPT_LOAD:
            if (parse_load(optarg, &cfg.load_mode) != 0)
                return usage_error("invalid value '%s' for --load (lazy, populate, resident)",
                                   optarg);
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        case 'V':
            printf("fraudidx-service %s\n", FIDX__SERVICE_VERSION);
            return 0;
        case '?':
            return usage_error("%s", "unknown option or missing value");
        default:
            r = numeric_flag(&cfg, opt, optarg);
        }
        if (r)
            return r;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (cfg.repair_wal)
        return fidx__admin_repair(&cfg);
    int r = replication_flags(&cfg);
    if (r)
        return r;
    /* A reader fetches its snapshot; a writer may serve its data directory's own. */
    if (!cfg.snapshot_path && !cfg.follow_url && !cfg.tokens_path)
        return usage_error("%s", "--snapshot FILE is required");
    if (parse_listen(cfg.listen, &cfg.addr) != 0)
        return usage_error("invalid --listen address '%s' (HOST:PORT, [ADDR]:PORT or :PORT)",
                           cfg.listen);
    if (cfg.watch_interval_ms && cfg.watch_interval_ms < 100)
        cfg.watch_interval_ms = 100;
    return fidx__service_run(&cfg);
}
