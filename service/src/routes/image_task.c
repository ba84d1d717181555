/* Images read on the pool and handed back to the loop that asked (image_task.h). A pool thread
 * does the reading; its `done` pushes the task on its worker's list under the worker's
 * image_mu and wakes the loop with uv_async_send, still holding the mutex, so that the wake can
 * never reach a handle the worker has closed meanwhile (image_closed is set under the same
 * mutex). The time limit counts from submission: a task that waited it out in the queue is
 * not read at all, and OCR gets what remains of it. */
#include "routes/image_task.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "image/image_pool.h"

struct fidx__image_tasks {
    fidx__image_pool_t *pool;
    uint64_t timeout_ns;
    atomic_int stopping; /* queued tasks are cancelled rather than read */
};

typedef struct fidx__image_task {
    fidx__image_job_t job; /* the pool's */
    struct fidx__image_tasks *owner;
    fidx__worker_t *w;
    uint8_t *bytes;
    size_t len;
    uint64_t submitted_ns, started_ns;
    fidx__image_task_cb cb;
    void *arg;
    fidx__image_outcome_t out;
    struct fidx__image_task *next; /* in w->image_done */
} task_t;

static void task_work(fidx__image_job_t *job, fidx__ocr_t *ocr)
{
    task_t *t = (task_t *)job;
    fidx__image_outcome_t *o = &t->out;
    t->started_ns = uv_hrtime();
    o->waited_us = (t->started_ns - t->submitted_ns) / 1000;
    uint64_t spent = t->started_ns - t->submitted_ns, limit = t->owner->timeout_ns;
    if (atomic_load(&t->owner->stopping)) {
        o->rc = fidx_err_set(&o->err, FIDX_EIO, 0, "the service is stopping");
        o->cancelled = 1;
    } else if (spent >= limit) {
        o->rc = fidx_err_set(&o->err, FIDX_ELIMIT, 0,
                             "the image waited its whole time limit for a free thread");
    } else {
        unsigned what = FIDX__IMAGE_READ_QR | (ocr ? FIDX__IMAGE_READ_OCR : 0);
        int left_ms = (int)((limit - spent) / 1000000);
        o->ocr_off = !ocr;
        o->rc = fidx__image_read(t->bytes, t->len, what, ocr, left_ms > 0 ? left_ms : 1, &o->res,
                                 &o->err);
    }
    free(t->bytes); /* the decoded image is all that is needed now; free the upload early */
    t->bytes = NULL;
}

/* On the pool thread: back to the worker's loop. */
static void task_done(fidx__image_job_t *job)
{
    task_t *t = (task_t *)job;
    fidx__worker_t *w = t->w;
    pthread_mutex_lock(&w->image_mu);
    t->next = w->image_done;
    w->image_done = t;
    if (!w->image_closed)
        uv_async_send(&w->image_wake);
    pthread_mutex_unlock(&w->image_mu);
}

static void finish(fidx__worker_t *w, task_t *t)
{
    t->out.total_us = (uv_hrtime() - t->submitted_ns) / 1000;
    t->cb(w, &t->out, t->arg);
    fidx__image_result_dispose(&t->out.res);
    free(t);
}

/* The finished tasks, oldest first. */
static task_t *take_done(fidx__worker_t *w)
{
    pthread_mutex_lock(&w->image_mu);
    task_t *t = w->image_done, *fifo = NULL;
    w->image_done = NULL;
    pthread_mutex_unlock(&w->image_mu);
    while (t) {
        task_t *next = t->next;
        t->next = fifo;
        fifo = t;
        t = next;
    }
    return fifo;
}

static void on_image_wake(uv_async_t *a)
{
    fidx__worker_t *w = a->data;
    for (task_t *t = take_done(w), *next; t; t = next) {
        next = t->next;
        finish(w, t);
    }
}

int fidx__image_task_submit(fidx__worker_t *w, uint8_t *bytes, size_t len, fidx__image_task_cb cb,
                            void *arg)
{
    struct fidx__image_tasks *tasks = w->svc->images;
    task_t *t = NULL;
    int rc = FIDX_EINVAL;
    if (!tasks || !w->image_open || atomic_load(&tasks->stopping))
        goto fail;
    rc = FIDX_ENOMEM;
    if (!(t = calloc(1, sizeof *t)))
        goto fail;
    t->job.work = task_work;
    t->job.done = task_done;
    t->owner = tasks;
    t->w = w;
    t->bytes = bytes;
    t->len = len;
    t->cb = cb;
    t->arg = arg;
    t->submitted_ns = uv_hrtime();
    if ((rc = fidx__image_pool_submit(tasks->pool, &t->job)) == 0)
        return 0;
fail:
    free(t);
    free(bytes);
    return rc;
}

int fidx__image_task_start(fidx__service_t *svc)
{
    const fidx__config_t *cfg = &svc->cfg;
    if (cfg->image_threads == 0)
        return 0;
    struct fidx__image_tasks *tasks = calloc(1, sizeof *tasks);
    if (!tasks) {
        fidx__log(FIDX__LOG_ERROR, "out of memory");
        return -1;
    }
    tasks->timeout_ns = cfg->image_timeout_ms * 1000000u;
    atomic_init(&tasks->stopping, 0);
    fidx__image_pool_config_t pc = {.threads = cfg->image_threads,
                                    .queue_limit = cfg->image_queue,
                                    .ocr = 1,
                                    .lazy = 1,
                                    .nice = (int)cfg->image_nice};
    fidx_err_t err = {0};
    if (fidx__image_pool_new(&pc, &tasks->pool, &err) != 0) {
        fidx__log(FIDX__LOG_ERROR, "cannot start the image threads: %s",
                  err.reason ? err.reason : "unknown error");
        free(tasks);
        return -1;
    }
    svc->images = tasks;
    return 0;
}

void fidx__image_task_stop(fidx__service_t *svc)
{
    struct fidx__image_tasks *tasks = svc->images;
    if (!tasks)
        return;
    atomic_store(&tasks->stopping, 1);
    fidx__image_pool_free(tasks->pool); /* runs (cancels) what is queued, then joins */
    free(tasks);
    svc->images = NULL;
}

int fidx__image_task_stats(const fidx__service_t *svc, uint64_t *waiting, uint64_t *running,
                           uint64_t *done, uint64_t *refused)
{
    fidx__image_pool_stats_t st = {0};
    if (svc->images)
        fidx__image_pool_stats(svc->images->pool, &st);
    *waiting = st.waiting;
    *running = st.running;
    *done = st.done;
    *refused = st.refused;
    return svc->images != NULL;
}

int fidx__image_task_worker_init(fidx__worker_t *w)
{
    pthread_mutex_init(&w->image_mu, NULL);
    int r = uv_async_init(&w->loop, &w->image_wake, on_image_wake);
    if (r)
        return r;
    w->image_wake.data = w;
    w->image_open = 1;
    return 0;
}

void fidx__image_task_worker_finish(fidx__worker_t *w)
{
    if (!w->image_open)
        return;
    w->image_open = 0;
    pthread_mutex_lock(&w->image_mu);
    w->image_closed = 1;
    pthread_mutex_unlock(&w->image_mu);
    uv_close((uv_handle_t *)&w->image_wake, NULL);
}

void fidx__image_task_worker_dispose(fidx__worker_t *w)
{
    for (task_t *t = take_done(w), *next; t; t = next) {
        next = t->next;
        t->out.cancelled = 1;
        if (t->out.rc == 0)
            t->out.rc = fidx_err_set(&t->out.err, FIDX_EIO, 0, "the service is stopping");
        finish(w, t);
    }
    pthread_mutex_destroy(&w->image_mu);
}
