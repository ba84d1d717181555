/* Accepting connections. libuv's own accept loop retries at once when accept(2) fails, so a
 * process out of file descriptors spun at 100 % CPU on every worker, flooded its log, never
 * got back to its loop's other events (SIGTERM had to be sent twice) and did not recover when
 * descriptors were freed. So each worker watches its listening socket with uv_poll and calls
 * accept4 itself: up to ACCEPT_BATCH connections per wake-up (the other events of the loop get
 * their turn), and when the process or system is out of descriptors or memory it stops
 * watching for a moment (backing off from PAUSE_MIN_MS to PAUSE_MAX_MS while it lasts), logs
 * at most once a second with a count, and starts again by itself. Connections that arrive
 * meanwhile wait in the kernel's backlog. */
#include "http/accept.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "http/conn.h"

#define ACCEPT_BATCH 64
#define PAUSE_MIN_MS 50
#define PAUSE_MAX_MS 1000
#define LOG_PERIOD_MS 1000

static void on_readable(uv_poll_t *h, int status, int events);

static void on_resume(uv_timer_t *t)
{
    fidx__worker_t *w = t->data;
    w->accept_paused = 0;
    if (!w->draining)
        uv_poll_start(&w->listener, UV_READABLE, on_readable);
}

/* Out of descriptors or memory: stop accepting for a while. */
static void pause_accepting(fidx__worker_t *w, int err)
{
    w->accept_pause_ms = w->accept_pause_ms ? w->accept_pause_ms * 2 : PAUSE_MIN_MS;
    if (w->accept_pause_ms > PAUSE_MAX_MS)
        w->accept_pause_ms = PAUSE_MAX_MS;
    fidx__counter_add(&w->metrics.accept_failures, 1);
    fidx__log_limited(&w->svc->accept_log, LOG_PERIOD_MS, FIDX__LOG_WARN,
                      "cannot accept connections: %s (%u open in this process); new "
                      "connections wait %llu ms",
                      strerror(err), atomic_load(&w->svc->open_connections),
                      (unsigned long long)w->accept_pause_ms);
    uv_poll_stop(&w->listener);
    w->accept_paused = 1;
    uv_timer_start(&w->accept_timer, on_resume, w->accept_pause_ms, 0);
}

static void on_readable(uv_poll_t *h, int status, int events)
{
    fidx__worker_t *w = h->data;
    (void)events;
    if (status < 0) {
        pause_accepting(w, -status);
        return;
    }
    for (int i = 0; i < ACCEPT_BATCH && !w->draining; i++) {
        int fd = accept4(w->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            w->accept_pause_ms = 0;
            fidx__conn_open(w, fd);
            continue;
        }
        switch (errno) {
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
            continue; /* that client is gone; others may wait */
        case EAGAIN:
            return;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            pause_accepting(w, errno);
            return;
        default:
            fidx__log_limited(&w->svc->accept_log, LOG_PERIOD_MS, FIDX__LOG_WARN,
                              "accept failed: %s", strerror(errno));
            return;
        }
    }
}

int fidx__accept_start(fidx__worker_t *w)
{
    int r = uv_poll_init(&w->loop, &w->listener, w->listen_fd);
    if (r)
        return r;
    w->listener.data = w;
    uv_timer_init(&w->loop, &w->accept_timer);
    w->accept_timer.data = w;
    w->accepting = 1;
    return uv_poll_start(&w->listener, UV_READABLE, on_readable);
}

static void on_listener_closed(uv_handle_t *h)
{
    fidx__worker_t *w = h->data;
    close(w->listen_fd);
    w->listen_fd = -1;
}

void fidx__accept_stop(fidx__worker_t *w)
{
    if (!w->accepting)
        return;
    w->accepting = 0;
    uv_close((uv_handle_t *)&w->accept_timer, NULL);
    uv_close((uv_handle_t *)&w->listener, on_listener_closed);
}
