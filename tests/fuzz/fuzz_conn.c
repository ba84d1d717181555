/* Fuzz target for the HTTP request path: the bytes a client sends go over a real TCP connection
 * (127.0.0.1) to a real service (service_fixture.h) and through the code every connection
 * runs (conn.c: strict framing checks, http-parser, bodies, pipelining and its backpressure,
 * routing, answers, the orderly close), delivered in pieces so that requests are split across
 * reads at every possible point. libFuzzer; replayed by ctest (docs/FUZZING.md).
 *
 * Input: byte 0 gives the number of pieces (1 + byte 0 % 8), the next two bytes per extra piece
 * a split point; the rest is what the client sends. The target sends each piece, runs the
 * worker's loop until it has nothing left to do, then half-closes, runs the loop until the
 * connection is closed, and reads all that the service answered. Then it sends the same bytes
 * again in one piece, on a new connection.
 *
 * Properties:
 * - a connection whose client has sent everything and half-closed is closed by the service (no
 *   hang), and no connection stays open afterwards;
 * - the service sends whole HTTP/1.1 responses and nothing else: a status line with a status
 *   the service uses and its reason, header lines ending in CRLF with Date, Content-Type and
 *   Content-Length, then a body of that length (none for a HEAD), and nothing after a response
 *   with Connection: close;
 * - the same bytes in one piece get the same answers: as many responses, with the same status,
 *   Content-Type and Connection: close on each. How the bytes were split never changes what
 *   a request means. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "http/request.h"
#include "service_fixture.h"

#define MAX_PIECES 8
#define QUIET_ROUNDS 3              /* loop rounds with nothing new from the service: idle */
#define HANG_NS (5 * 1000000000ull) /* one step taking longer than this is a hang */
#define MAX_RESPONSES 1024          /* compared ones; more are still checked for form */

typedef struct {
    char *p;
    size_t len, cap;
} bytes_t;

typedef struct {
    int status;
    int close;
    char type[64];
} response_t;

typedef struct {
    response_t r[MAX_RESPONSES];
    size_t n;
} answers_t;

static void append(bytes_t *b, const char *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        FUZZ_CHECK(b->p != NULL, "out of memory in the harness");
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

/* Reads what the service sent so far; returns how many bytes, and sets *eof at its end. */
static size_t drain(int fd, bytes_t *got, int *eof)
{
    char buf[65536];
    size_t total = 0;
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            append(got, buf, (size_t)n);
            total += (size_t)n;
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            *eof = 1; /* the end, or a reset: nothing more will come */
        return total;
    }
}

/* Waits up to a millisecond for the service's loop or the client's socket to have something:
 * on a loaded machine loopback delivery can lag a syscall behind. */
static void wait_a_little(int fd)
{
    struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
                          {.fd = uv_backend_fd(&fuzz_service()->w->loop), .events = POLLIN}};
    (void)poll(p, 2, 1);
}

/* Runs the worker's loop until QUIET_ROUNDS rounds in a row bring nothing new to the client
 * (and, when `until_closed`, until the service has closed every connection). */
static void pump(int fd, bytes_t *got, int *eof, int until_closed)
{
    fidx__worker_t *w = fuzz_service()->w;
    uint64_t deadline = uv_hrtime() + HANG_NS;
    int quiet = 0;
    for (;;) {
        FUZZ_CHECK(uv_hrtime() < deadline,
                   "the service neither answered nor closed the connection");
        uv_run(&w->loop, UV_RUN_NOWAIT);
        size_t n = *eof ? 0 : drain(fd, got, eof);
        quiet = n ? 0 : quiet + 1;
        if (quiet < QUIET_ROUNDS)
            continue;
        if (!until_closed || (w->n_conns == 0 && *eof))
            return;
        wait_a_little(fd);
    }
}

static int connect_to_service(void)
{
    const fuzz_service_t *fs = fuzz_service();
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(fs->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    FUZZ_CHECK(fd >= 0, "the harness cannot make a socket");
    int r = connect(fd, (struct sockaddr *)&a, sizeof a);
    FUZZ_CHECK(r == 0 || errno == EINPROGRESS, "the harness cannot connect to the service");
    size_t before = fs->w->n_conns;
    uint64_t deadline = uv_hrtime() + HANG_NS;
    while (fs->w->n_conns == before) {
        FUZZ_CHECK(uv_hrtime() < deadline, "the service does not accept a connection");
        uv_run(&fs->w->loop, UV_RUN_NOWAIT);
        if (fs->w->n_conns == before)
            wait_a_little(fd);
    }
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    FUZZ_CHECK(poll(&p, 1, 5000) == 1, "the connection does not complete");
    return fd;
}

/* Sends pieces[0..n) one after the other, letting the service read each before the next;
 * returns everything the service sent until it closed the connection. */
static bytes_t exchange(const char *p, const size_t *cut, size_t n_pieces)
{
    bytes_t got = {NULL, 0, 0};
    int eof = 0;
    int fd = connect_to_service();
    size_t from = 0;
    for (size_t i = 0; i < n_pieces; i++) {
        size_t to = cut[i];
        while (from < to && !eof) {
            ssize_t k = send(fd, p + from, to - from, MSG_NOSIGNAL);
            if (k > 0)
                from += (size_t)k;
            else if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                break; /* the service has closed: the rest is not read */
            pump(fd, &got, &eof, 0);
        }
        if (from < to)
            break;
    }
    shutdown(fd, SHUT_WR);
    pump(fd, &got, &eof, 1);
    close(fd);
    FUZZ_CHECK(fuzz_service()->w->n_conns == 0, "a connection stayed open");
    return got;
}

/* ---- reading the answers ---- */

static int known_status(int s)
{
    static const int known[] = {200, 202, 304, 400, 401, 404, 405, 408, 409,
                                413, 414, 415, 429, 431, 500, 501, 503, 505};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i] == s)
            return 1;
    return 0;
}

static const char *find(const char *p, const char *end, const char *s)
{
    size_t n = strlen(s);
    for (; p + n <= end; p++)
        if (memcmp(p, s, n) == 0)
            return p;
    return NULL;
}

/* A header's value in [h, end) (the header section without the status line), or NULL. */
static const char *header(const char *h, const char *end, const char *name, size_t *len)
{
    size_t n = strlen(name);
    while (h < end) {
        const char *eol = find(h, end, "\r\n");
        FUZZ_CHECK(eol, "a header line without CRLF");
        if ((size_t)(eol - h) > n + 1 && strncasecmp(h, name, n) == 0 && h[n] == ':') {
            const char *v = h + n + 1;
            while (v < eol && *v == ' ')
                v++;
            *len = (size_t)(eol - v);
            return v;
        }
        h = eol + 2;
    }
    return NULL;
}

static answers_t *read_answers(const bytes_t *b)
{
    answers_t *a = calloc(1, sizeof *a);
    FUZZ_CHECK(a != NULL, "out of memory in the harness");
    if (b->len == 0)
        return a;
    const char *p = b->p, *end = b->p + b->len;
    while (p < end) {
        FUZZ_CHECK(end - p >= 17 && memcmp(p, "HTTP/1.1 ", 9) == 0,
                   "the service sent something else than a response");
        static const char go_on[] = "HTTP/1.1 100 Continue\r\n\r\n";
        if (memcmp(p + 9, "100", 3) == 0) { /* interim: Expect: 100-continue */
            FUZZ_CHECK((size_t)(end - p) >= sizeof go_on - 1 &&
                           memcmp(p, go_on, sizeof go_on - 1) == 0,
                       "a malformed 100 Continue");
            p += sizeof go_on - 1;
            if (a->n < MAX_RESPONSES)
                a->r[a->n++].status = 100;
            continue;
        }
        const char *head_end = find(p, end, "\r\n\r\n");
        FUZZ_CHECK(head_end, "a response ends inside its headers");
        int status = atoi(p + 9);
        FUZZ_CHECK(known_status(status) && p[12] == ' ', "a status the service does not use");
        const char *reason = fidx__status_reason(status);
        FUZZ_CHECK(strncmp(p + 13, reason, strlen(reason)) == 0 && p[13 + strlen(reason)] == '\r',
                   "a status line without its reason");
        const char *h = find(p, head_end + 2, "\r\n") + 2, *hend = head_end + 2;
        size_t date_len, type_len, cl_len, conn_len;
        const char *type = header(h, hend, "Content-Type", &type_len);
        const char *cl = header(h, hend, "Content-Length", &cl_len);
        const char *conn = header(h, hend, "Connection", &conn_len);
        FUZZ_CHECK(header(h, hend, "Date", &date_len) && type && cl,
                   "a response without Date, Content-Type or Content-Length");
        size_t body = strtoul(cl, NULL, 10);
        p = head_end + 4;
        /* A HEAD is answered without the body: no body of ours starts with a status line. */
        if (body && (p == end || (end - p >= 9 && memcmp(p, "HTTP/1.1 ", 9) == 0)))
            body = 0;
        FUZZ_CHECK(body <= (size_t)(end - p), "a response shorter than its Content-Length");
        p += body;
        int closes = conn && conn_len == 5 && strncasecmp(conn, "close", 5) == 0;
        FUZZ_CHECK(!closes || p == end, "the service answered after Connection: close");
        if (a->n < MAX_RESPONSES) {
            response_t *r = &a->r[a->n++];
            r->status = status;
            r->close = closes;
            snprintf(r->type, sizeof r->type, "%.*s", (int)type_len, type);
        }
    }
    return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        signal(SIGPIPE, SIG_IGN); /* as fidx__service_run does */
        fuzz_service();
        ready = 1;
    }
    if (size < 1)
        return 0;
    size_t n_pieces = 1 + data[0] % MAX_PIECES, head = 1 + 2 * (n_pieces - 1);
    if (size < head)
        return 0;
    const char *p = (const char *)data + head;
    size_t len = size - head;
    size_t cut[MAX_PIECES];
    for (size_t i = 0; i + 1 < n_pieces; i++)
        cut[i] = len ? ((size_t)data[1 + 2 * i] << 8 | data[2 + 2 * i]) % (len + 1) : 0;
    cut[n_pieces - 1] = len;
    /* In order: insertion sort of a few numbers. */
    for (size_t i = 1; i < n_pieces; i++)
        for (size_t j = i; j > 0 && cut[j - 1] > cut[j]; j--) {
            size_t t = cut[j];
            cut[j] = cut[j - 1];
            cut[j - 1] = t;
        }

    bytes_t split = exchange(p, cut, n_pieces);
    bytes_t whole = exchange(p, &len, 1);
    answers_t *as = read_answers(&split), *aw = read_answers(&whole);
    if (getenv("FUZZ_CONN_SHOW")) { /* what the service answered, to see what a seed does */
        fprintf(stderr, "  %zu pieces, %zu bytes: %zu responses:", n_pieces, len, aw->n);
        for (size_t i = 0; i < aw->n; i++)
            fprintf(stderr, " %d%s", aw->r[i].status, aw->r[i].close ? "(close)" : "");
        fputc('\n', stderr);
    }
    FUZZ_CHECK(as->n == aw->n, "split reads got another number of responses than one read");
    for (size_t i = 0; i < as->n; i++)
        FUZZ_CHECK(as->r[i].status == aw->r[i].status && as->r[i].close == aw->r[i].close &&
                       strcmp(as->r[i].type, aw->r[i].type) == 0,
                   "split reads got another answer than one read");
    free(as);
    free(aw);
    free(split.p);
    free(whole.p);
    fuzz_service_trim_reports(1000);
    return 0;
}
