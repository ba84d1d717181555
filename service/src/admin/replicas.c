/* The readers that follow this writer, as the writer sees them: each one's last report of
 * what it has applied durably (the `since` of its changes poll), and from those the sequence
 * number every change up to which at least --sync-replicas readers have applied. A change
 * waiting for readers (admin_job.c, admin_write.c) is answered once that number reaches it;
 * this file wakes the workers whose changes wait, as the commit thread does after a fsync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/admin.h"
#include "base/clock.h"

/* Commit thread (after each round) and an ack: wakes the workers that have changes waiting
 * or replicas' polls parked. */
void fidx__admin_wake_workers(fidx__admin_t *a)
{
    unsigned n = atomic_load(&a->n_workers);
    for (unsigned i = 0; i < n; i++) {
        fidx__worker_t *w = a->workers[i];
        if (atomic_load(&w->n_waiting) == 0 && atomic_load(&w->n_polls) == 0)
            continue;
        pthread_mutex_lock(&w->notify_mu);
        if (!w->notify_closed)
            uv_async_send(&w->durable);
        pthread_mutex_unlock(&w->notify_mu);
    }
}

static int cmp_desc(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? 1 : a > b ? -1 : 0;
}

/* The N-th largest durable number among the readers (0 when fewer than N). Under rep_mu. */
static uint64_t nth_durable(const fidx__admin_t *a, unsigned n)
{
    uint64_t v[FIDX__REPLICAS_MAX];
    if (n == 0 || a->n_replicas < n)
        return 0;
    for (unsigned i = 0; i < a->n_replicas; i++)
        v[i] = a->replicas[i].durable;
    qsort(v, a->n_replicas, sizeof v[0], cmp_desc);
    return v[n - 1];
}

/* The table's slot for id: found, free, or the one seen longest ago. Under rep_mu. */
static fidx__replica_t *slot(fidx__admin_t *a, const char *id)
{
    fidx__replica_t *oldest = NULL;
    for (unsigned i = 0; i < a->n_replicas; i++) {
        fidx__replica_t *r = &a->replicas[i];
        if (strcmp(r->id, id) == 0)
            return r;
        if (!oldest || r->seen_ms < oldest->seen_ms)
            oldest = r;
    }
    if (a->n_replicas < FIDX__REPLICAS_MAX) {
        fidx__replica_t *r = &a->replicas[a->n_replicas++];
        memset(r, 0, sizeof *r);
        return r;
    }
    memset(oldest, 0, sizeof *oldest);
    return oldest;
}

void fidx__admin_replica_ack(fidx__admin_t *a, const char *id, const char *token, uint64_t durable)
{
    pthread_mutex_lock(&a->rep_mu);
    fidx__replica_t *r = slot(a, id);
    snprintf(r->id, sizeof r->id, "%s", id);
    snprintf(r->token, sizeof r->token, "%s", token);
    r->durable = durable; /* a reader that started over may report less than before */
    r->seen_ms = fidx__clock_mono_ms();
    uint64_t synced = nth_durable(a, a->svc->cfg.sync_replicas);
    int advanced = synced > atomic_load(&a->synced);
    if (advanced)
        atomic_store(&a->synced, synced);
    pthread_cond_broadcast(&a->rep_cond);
    pthread_mutex_unlock(&a->rep_mu);
    if (advanced)
        fidx__admin_wake_workers(a);
}

uint64_t fidx__admin_synced(fidx__admin_t *a)
{
    return atomic_load(&a->synced);
}

int fidx__admin_sync_wait(fidx__admin_t *a, uint64_t seq, uint64_t timeout_ms)
{
    if (a->svc->cfg.sync_replicas == 0)
        return 0;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)(timeout_ms / 1000);
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000)
        until.tv_sec++, until.tv_nsec -= 1000000000;
    pthread_mutex_lock(&a->rep_mu);
    int rc = 0;
    while (atomic_load(&a->synced) < seq && rc == 0 && !atomic_load(&a->cancel))
        rc = pthread_cond_timedwait(&a->rep_cond, &a->rep_mu, &until);
    int ok = atomic_load(&a->synced) >= seq;
    pthread_mutex_unlock(&a->rep_mu);
    return ok ? 0 : -1;
}

void fidx__admin_replicas_json(fidx__admin_t *a, fidx__sbuf_t *out)
{
    uint64_t now = fidx__clock_mono_ms();
    pthread_mutex_lock(&a->rep_mu);
    fidx__sbuf_printf(out, "{\"sync_replicas\":%u,\"synced_seq\":%llu,\"readers\":[",
                      a->svc->cfg.sync_replicas, (unsigned long long)atomic_load(&a->synced));
    for (unsigned i = 0; i < a->n_replicas; i++) {
        const fidx__replica_t *r = &a->replicas[i];
        fidx__sbuf_puts(out, i ? ",{\"id\":" : "{\"id\":");
        fidx__sbuf_json_string(out, r->id, strlen(r->id));
        fidx__sbuf_puts(out, ",\"token\":");
        fidx__sbuf_json_string(out, r->token, strlen(r->token));
        fidx__sbuf_printf(out, ",\"applied_seq\":%llu,\"seen_seconds_ago\":%.3f}",
                          (unsigned long long)r->durable, (double)(now - r->seen_ms) / 1000.0);
    }
    fidx__sbuf_puts(out, "]}");
    pthread_mutex_unlock(&a->rep_mu);
}
