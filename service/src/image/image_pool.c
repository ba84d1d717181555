/* The image pool: a FIFO of jobs under one mutex, N threads that each load a Tesseract engine
 * and then take jobs. A job is refused when queue_limit jobs wait already, so the waiting work
 * (and the request bodies it holds) stays bounded; running jobs are bounded by the threads. */
#include "image_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "image_internal.h"

struct fidx__image_pool {
    pthread_mutex_t lock;
    pthread_cond_t work;  /* a job was queued, or the pool is stopping */
    pthread_cond_t ready; /* a thread finished loading its engine */
    fidx__image_job_t *head, *tail;
    fidx__image_pool_stats_t stats;
    unsigned queue_limit, started, loaded, failed;
    int stopping;
    int ocr, lazy, nice;
    const char *tessdata;
    fidx_err_t load_err; /* the first engine that failed to load */
    pthread_t threads[FIDX__IMAGE_POOL_MAX_THREADS];
};

/* Loads this thread's engine and says so; returns it (NULL without OCR or on failure). */
static int load_engine(fidx__image_pool_t *pool, fidx__ocr_t **ocr)
{
    fidx_err_t err = {0, 0, NULL};
    int rc = pool->ocr ? fidx__ocr_new(pool->tessdata, NULL, ocr, &err) : 0;
    pthread_mutex_lock(&pool->lock);
    pool->loaded++;
    if (rc != 0 && pool->failed++ == 0)
        pool->load_err = err;
    pthread_cond_broadcast(&pool->ready);
    pthread_mutex_unlock(&pool->lock);
    return rc;
}

/* The next job, or NULL once the pool is stopping and the queue is empty. */
static fidx__image_job_t *take(fidx__image_pool_t *pool)
{
    pthread_mutex_lock(&pool->lock);
    while (!pool->head && !pool->stopping)
        pthread_cond_wait(&pool->work, &pool->lock);
    fidx__image_job_t *job = pool->head;
    if (job) {
        pool->head = job->next;
        if (!pool->head)
            pool->tail = NULL;
        pool->stats.waiting--;
        pool->stats.running++;
    }
    pthread_mutex_unlock(&pool->lock);
    return job;
}

/* A lazy pool's thread loads its engine before its first job; one that cannot load gives its
 * jobs no engine (NULL), and tries no more. */
static fidx__ocr_t *lazy_engine(fidx__image_pool_t *pool, fidx__ocr_t *ocr, int *tried)
{
    if (!pool->ocr || ocr || *tried)
        return ocr;
    *tried = 1;
    fidx_err_t err = {0, 0, NULL};
    if (fidx__ocr_new(pool->tessdata, NULL, &ocr, &err) != 0) {
        pthread_mutex_lock(&pool->lock);
        if (pool->failed++ == 0)
            pool->load_err = err;
        pthread_mutex_unlock(&pool->lock);
        return NULL;
    }
    return ocr;
}

static void *thread_main(void *arg)
{
    fidx__image_pool_t *pool = arg;
    fidx__ocr_t *ocr = NULL;
    int tried = 0;
    /* Linux's nice value belongs to the thread (its task id), not the process. A failure
     * leaves the thread at the process's priority: slower lookups, no wrong answer. */
    if (pool->nice > 0)
        (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), pool->nice);
    if (!pool->lazy && load_engine(pool, &ocr) != 0)
        return NULL;
    fidx__image_job_t *job;
    while ((job = take(pool)) != NULL) {
        if (pool->lazy)
            ocr = lazy_engine(pool, ocr, &tried);
        job->work(job, ocr);
        job->done(job); /* the job may be gone after this */
        pthread_mutex_lock(&pool->lock);
        pool->stats.running--;
        pool->stats.done++;
        pthread_mutex_unlock(&pool->lock);
    }
    fidx__ocr_free(ocr);
    return NULL;
}

/* Stops and joins the threads started so far, then frees. */
static void stop(fidx__image_pool_t *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->work);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->started; i++)
        pthread_join(pool->threads[i], NULL);
    pthread_cond_destroy(&pool->work);
    pthread_cond_destroy(&pool->ready);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

/* Waits until every started thread has loaded its engine; the first failure, if any. */
static int wait_loaded(fidx__image_pool_t *pool, fidx_err_t *err)
{
    pthread_mutex_lock(&pool->lock);
    while (pool->loaded < pool->started)
        pthread_cond_wait(&pool->ready, &pool->lock);
    int failed = pool->failed != 0;
    fidx_err_t first = pool->load_err;
    pthread_mutex_unlock(&pool->lock);
    if (failed)
        return fidx__image_fail(err, first.code ? first.code : FIDX_EINVAL, 0,
                                first.reason ? first.reason : "an OCR engine failed to load");
    return 0;
}

int fidx__image_pool_new(const fidx__image_pool_config_t *cfg, fidx__image_pool_t **out,
                         fidx_err_t *err)
{
    *out = NULL;
    unsigned n = cfg->threads ? cfg->threads : FIDX__IMAGE_POOL_THREADS;
    if (n > FIDX__IMAGE_POOL_MAX_THREADS)
        return fidx__image_fail(err, FIDX_EINVAL, 0, "more than 64 image threads");
    fidx__image_pool_t *pool = calloc(1, sizeof *pool);
    if (!pool)
        return fidx__image_fail(err, FIDX_ENOMEM, 0, "out of memory");
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->work, NULL);
    pthread_cond_init(&pool->ready, NULL);
    pool->queue_limit = cfg->queue_limit;
    pool->ocr = cfg->ocr;
    pool->lazy = cfg->lazy;
    pool->nice = cfg->nice < 0 ? 0 : cfg->nice > 19 ? 19 : cfg->nice;
    pool->tessdata = cfg->tessdata;
    int rc = 0;
    for (; pool->started < n; pool->started++)
        if (pthread_create(&pool->threads[pool->started], NULL, thread_main, pool) != 0) {
            rc = fidx__image_fail(err, FIDX_EIO, 0, "cannot start an image thread");
            break;
        }
    int loaded = pool->lazy ? 0 : wait_loaded(pool, rc == 0 ? err : NULL);
    if (rc == 0)
        rc = loaded;
    if (rc != 0) {
        stop(pool);
        return rc;
    }
    *out = pool;
    return 0;
}

int fidx__image_pool_submit(fidx__image_pool_t *pool, fidx__image_job_t *job)
{
    int rc = 0;
    job->next = NULL;
    pthread_mutex_lock(&pool->lock);
    if (pool->stopping) {
        rc = FIDX_EINVAL;
    } else if (pool->stats.waiting + pool->stats.running >= pool->started + pool->queue_limit) {
        /* Counting the running jobs too: a job just queued for an idle thread that has not
         * taken it yet is not held against the queue. */
        pool->stats.refused++;
        rc = FIDX_ELIMIT;
    } else {
        if (pool->tail)
            pool->tail->next = job;
        else
            pool->head = job;
        pool->tail = job;
        pool->stats.waiting++;
        pthread_cond_signal(&pool->work);
    }
    pthread_mutex_unlock(&pool->lock);
    return rc;
}

void fidx__image_pool_stats(fidx__image_pool_t *pool, fidx__image_pool_stats_t *out)
{
    pthread_mutex_lock(&pool->lock);
    *out = pool->stats;
    pthread_mutex_unlock(&pool->lock);
}

void fidx__image_pool_free(fidx__image_pool_t *pool)
{
    if (pool)
        stop(pool);
}
