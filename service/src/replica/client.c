/* The reader's HTTP client (client.h), on libcurl's easy interface: the follower thread is
 * the only one that uses it and may block, so nothing here needs an event loop. Why libcurl
 * rather than a client of our own on libuv: a writer in another place is reached over TLS
 * (through the proxy), and libcurl brings TLS (GnuTLS in Debian's libcurl3-gnutls), keep-alive,
 * byte ranges and every timeout, tested by everyone who uses it. */
#include "replica/client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#define CONNECT_TIMEOUT_MS 3000
#define LOW_SPEED_BYTES 1024 /* a download slower than this ... */
#define LOW_SPEED_SECONDS 30 /* ... for this long is given up */

struct fidx__rclient {
    CURL *curl;
    struct curl_slist *headers;
    atomic_int *stop;
    char base[FIDX__RCLIENT_URL_MAX + 1];
    char errbuf[CURL_ERROR_SIZE];
};

int fidx__rclient_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void fidx__rclient_global_cleanup(void)
{
    curl_global_cleanup();
}

int fidx__rclient_new(const char *base, const char *token, atomic_int *stop, fidx__rclient_t **out)
{
    char auth[600];
    fidx__rclient_t *c = calloc(1, sizeof *c);
    if (!c || strlen(base) > FIDX__RCLIENT_URL_MAX || strlen(token) > 512)
        goto fail;
    snprintf(c->base, sizeof c->base, "%s", base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    c->stop = stop;
    c->curl = curl_easy_init();
    c->headers = curl_slist_append(NULL, auth);
    if (!c->curl || !c->headers)
        goto fail;
    *out = c;
    return 0;
fail:
    fidx__rclient_free(c);
    return -1;
}

void fidx__rclient_free(fidx__rclient_t *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    curl_slist_free_all(c->headers);
    free(c);
}

/* ---- callbacks ---- */

typedef struct {
    fidx__rclient_t *c;
    fidx__rresult_t *res;
    fidx__sbuf_t *body; /* a body in memory */
    int fd;             /* or a download: 200/206 bodies to fd */
    uint64_t *written;
    fidx__sbuf_t *err_body; /* a download's other bodies */
} transfer_t;

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    transfer_t *t = arg;
    size_t len = size * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) /* a new answer (after a 100 Continue) */
        fidx__replica_headers_reset(&t->res->h);
    else
        fidx__replica_header_line(&t->res->h, p, len);
    return len;
}

static size_t to_memory(char *p, size_t size, size_t n, void *arg)
{
    transfer_t *t = arg;
    fidx__sbuf_put(t->body, p, size * n);
    return t->body->failed ? 0 : size * n; /* over the limit: the transfer fails */
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static size_t to_file(char *p, size_t size, size_t n, void *arg)
{
    transfer_t *t = arg;
    long status = 0;
    curl_easy_getinfo(t->c->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200 && status != 206) {
        fidx__sbuf_put(t->err_body, p, size * n);
        return t->err_body->failed ? 0 : size * n;
    }
    if (write_all(t->fd, p, size * n) != 0)
        return 0;
    *t->written += size * n;
    return size * n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    transfer_t *t = arg;
    (void)dt, (void)dn, (void)ut, (void)un;
    return atomic_load(t->c->stop) ? 1 : 0; /* nonzero aborts the transfer */
}

/* ---- requests ---- */

static void setup(fidx__rclient_t *c, const char *target, transfer_t *t)
{
    char url[FIDX__RCLIENT_URL_MAX + 512];
    CURL *h = c->curl;
    snprintf(url, sizeof url, "%s%s", c->base, target);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, t);
    c->errbuf[0] = '\0';
    memset(t->res, 0, sizeof *t->res);
}

/* Runs the transfer set up: 0 when a whole answer came, -1 otherwise (res->error). */
static int perform(fidx__rclient_t *c, fidx__rresult_t *res)
{
    CURLcode rc = curl_easy_perform(c->curl);
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &res->status);
    if (rc == CURLE_OK)
        return 0;
    snprintf(res->error, sizeof res->error, "%s",
             atomic_load(c->stop) ? "stopping"
             : c->errbuf[0]       ? c->errbuf
                                  : curl_easy_strerror(rc));
    return -1;
}

int fidx__rclient_get(fidx__rclient_t *c, const char *target, uint64_t timeout_ms,
                      fidx__sbuf_t *body, fidx__rresult_t *res)
{
    transfer_t t = {.c = c, .res = res, .body = body, .fd = -1};
    setup(c, target, &t);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, to_memory);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, 0L);
    curl_easy_setopt(c->curl, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)0);
    int rc = perform(c, res);
    if (rc && body->failed)
        snprintf(res->error, sizeof res->error, "the answer is larger than %zu bytes", body->max);
    return rc;
}

int fidx__rclient_download(fidx__rclient_t *c, const char *target, int fd, uint64_t from,
                           uint64_t *written, fidx__sbuf_t *err_body, fidx__rresult_t *res)
{
    transfer_t t = {.c = c, .res = res, .fd = fd, .written = written, .err_body = err_body};
    setup(c, target, &t);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, to_file);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, 0L);
    curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, (long)LOW_SPEED_BYTES);
    curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, (long)LOW_SPEED_SECONDS);
    curl_easy_setopt(c->curl, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)from);
    return perform(c, res);
}
