/* The look-alike index beside the snapshot (lookalikes.h): built on the main thread, handed to
 * the workers like a snapshot. */
#include "lookalikes.h"

#include <pthread.h>
#include <stdlib.h>

#include "admin/admin.h"
#include "base/log.h"

/* How often the main thread looks whether a live change touched an allowlisted site. */
#define WATCH_INTERVAL_MS 1000

struct fidx__lookalikes *fidx__lookalikes_acquire(struct fidx__lookalikes *l)
{
    atomic_fetch_add_explicit(&l->refs, 1, memory_order_relaxed);
    return l;
}

void fidx__lookalikes_release(struct fidx__lookalikes *l)
{
    if (!l || atomic_fetch_sub_explicit(&l->refs, 1, memory_order_acq_rel) != 1)
        return;
    fidx_lookalike_free(l->la);
    free(l);
}

void fidx__lookalikes_take(fidx__worker_t *w)
{
    struct fidx__lookalikes *l = atomic_exchange(&w->looks_incoming, NULL);
    if (!l)
        return;
    fidx__lookalikes_release(w->looks);
    w->looks = l;
    w->la = l->la;
}

/* The overlay lookups read, or NULL when there is none. */
static const fidx_overlay_t *overlay_of(const fidx__service_t *svc)
{
    return svc->admin ? svc->admin->ov : NULL;
}

/* A new index of s and the overlay as lookups see it now. NULL when it cannot be built (logged);
 * an index over the limit of sites is kept as far as it got, with a warning. */
static struct fidx__lookalikes *build(fidx__service_t *svc, fidx_snapshot_t *s)
{
    struct fidx__lookalikes *l = calloc(1, sizeof *l);
    fidx_err_t err = {0};
    const fidx_overlay_t *ov = svc->looks_reader ? overlay_of(svc) : NULL;
    int rc = l ? fidx_lookalike_new(&l->la, &err) : FIDX_ENOMEM;
    if (rc == 0) {
        if (ov)
            fidx_overlay_online(svc->looks_reader);
        rc = fidx_lookalike_add_view(l->la, s, ov, &err);
        if (ov)
            fidx_overlay_offline(svc->looks_reader);
    }
    if (rc == FIDX_ELIMIT) {
        fidx__log(FIDX__LOG_WARN, "look-alike index: %s; the first %d are checked",
                  err.reason ? err.reason : "too many sites", FIDX_LOOKALIKE_MAX_ENTRIES);
        rc = 0;
    }
    if (rc != 0) {
        fidx__log(FIDX__LOG_ERROR,
                  "cannot build the look-alike index: %s; links are answered "
                  "without it",
                  err.reason ? err.reason : fidx_strerror(rc));
        if (l)
            fidx_lookalike_free(l->la);
        free(l);
        return NULL;
    }
    atomic_init(&l->refs, 1);
    return l;
}

/* Hands l (the main thread keeps its reference) to every worker. */
static void hand_over(fidx__service_t *svc, struct fidx__lookalikes *l)
{
    for (unsigned i = 0; i < svc->n_workers; i++) {
        fidx__worker_t *w = svc->workers[i];
        struct fidx__lookalikes *old =
            atomic_exchange(&w->looks_incoming, fidx__lookalikes_acquire(l));
        fidx__lookalikes_release(old);
        uv_async_send(&w->wake);
    }
}

void fidx__lookalikes_rebuild(fidx__service_t *svc, fidx_snapshot_t *s, const char *why)
{
    const fidx_overlay_t *ov = overlay_of(svc);
    /* Taken before the build: a change made meanwhile is seen by the next look. A failed build
     * is not retried before the next change (it logged why). */
    svc->looks_seq = ov ? fidx_overlay_allow_seq(ov) : 0;
    struct fidx__lookalikes *l = build(svc, s);
    if (!l)
        return;
    fidx__lookalikes_release(svc->looks);
    svc->looks = l;
    hand_over(svc, l);
    fidx__log(FIDX__LOG_INFO, "look-alike index (%s): %zu allowlisted sites, %zu brands", why,
              fidx_lookalike_count(l->la), fidx_lookalike_brand_count(l->la));
}

/* A live change touched an allowlisted site and is visible now: the index follows. */
static void on_watch(uv_timer_t *t)
{
    fidx__service_t *svc = t->data;
    const fidx_overlay_t *ov = overlay_of(svc);
    uint64_t seq = fidx_overlay_allow_seq(ov);
    if (svc->stopping || seq <= svc->looks_seq || seq > fidx_overlay_visible(ov))
        return;
    fidx__lookalikes_rebuild(svc, svc->snap, "allowlist changed");
}

/* The main thread reads the overlay as a reader of its own (a writer call: under mu). */
static int add_reader(fidx__service_t *svc)
{
    fidx__admin_t *a = svc->admin;
    pthread_mutex_lock(&a->mu);
    int rc = fidx_overlay_reader_add(a->ov, &svc->looks_reader);
    pthread_mutex_unlock(&a->mu);
    return rc;
}

int fidx__lookalikes_start(fidx__service_t *svc)
{
    if (overlay_of(svc)) {
        if (add_reader(svc) != 0) {
            fidx__log(FIDX__LOG_ERROR, "cannot read the overlay for the look-alike index");
            return -1;
        }
        uv_timer_init(&svc->loop, &svc->looks_timer);
        svc->looks_timer.data = svc;
        uv_timer_start(&svc->looks_timer, on_watch, WATCH_INTERVAL_MS, WATCH_INTERVAL_MS);
        svc->looks_watching = 1;
    }
    fidx__lookalikes_rebuild(svc, svc->snap, "loaded");
    return 0;
}

void fidx__lookalikes_stop(fidx__service_t *svc)
{
    if (svc->looks_watching) {
        uv_close((uv_handle_t *)&svc->looks_timer, NULL);
        svc->looks_watching = 0;
    }
}
