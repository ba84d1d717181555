/* A bounded pool of threads for image work (decoding, QR, OCR), so that it never runs on a
 * worker's event loop. Each thread owns a Tesseract engine (loaded once, at start). A full
 * queue refuses a job at once: the route answers 503 with Retry-After rather than letting
 * work pile up. No libuv here: the route hands `done` over to its loop (uv_async). */
#ifndef FIDX_SERVICE_IMAGE_POOL_H
#define FIDX_SERVICE_IMAGE_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "image_ocr.h"

/* Defaults: two threads (this machine has two cores, and OCR takes one whole), and eight jobs
 * waiting at most (about four images' time per thread at 0.2-0.4 s each). */
#define FIDX__IMAGE_POOL_THREADS 2
#define FIDX__IMAGE_POOL_QUEUE 8
#define FIDX__IMAGE_POOL_MAX_THREADS 64

typedef struct fidx__image_job fidx__image_job_t;

/* A job; embed it in the caller's own struct. Borrowed by the pool from submit until done. */
struct fidx__image_job {
    /* On a pool thread; ocr is that thread's engine (NULL in a pool without OCR). */
    void (*work)(fidx__image_job_t *job, fidx__ocr_t *ocr);
    /* On the same thread, right after work; the pool no longer touches the job. */
    void (*done)(fidx__image_job_t *job);
    fidx__image_job_t *next; /* the pool's */
};

typedef struct {
    unsigned threads;     /* 1..FIDX__IMAGE_POOL_MAX_THREADS; 0: FIDX__IMAGE_POOL_THREADS */
    unsigned queue_limit; /* jobs waiting for a thread, besides those running; 0: refuse any
                             job that finds every thread busy */
    int ocr;              /* each thread loads a Tesseract engine */
    const char *tessdata; /* where the models are; NULL: the system's */
    int lazy;             /* threads load their engine before their first job, not at
                             start: a process that never reads an image never pays for the
                             models (~30 MB, 0.2 s each); a thread whose engine fails to load
                             passes NULL to work */
    int nice;             /* the threads' nice value (0..19, Linux: per thread): a service
                             keeps its lookups ahead of images on a busy CPU */
} fidx__image_pool_config_t;

typedef struct {
    unsigned waiting, running;
    uint64_t done, refused;
} fidx__image_pool_stats_t;

typedef struct fidx__image_pool fidx__image_pool_t;

/* Starts the threads and (unless lazy) waits until each has loaded its engine. Caller owns *out;
 * free with fidx__image_pool_free. Returns 0, FIDX_EINVAL (bad config; the models cannot be
 * loaded), FIDX_ENOMEM or FIDX_EIO (a thread could not start). */
FIDX_MUST_CHECK int fidx__image_pool_new(const fidx__image_pool_config_t *cfg,
                                         fidx__image_pool_t **out, fidx_err_t *err);

/* Queues job (work and done set). Returns 0, or FIDX_ELIMIT at once when queue_limit jobs
 * are already waiting, or FIDX_EINVAL once the pool is stopping; the job is then not run. */
FIDX_MUST_CHECK int fidx__image_pool_submit(fidx__image_pool_t *pool, fidx__image_job_t *job);

void fidx__image_pool_stats(fidx__image_pool_t *pool, fidx__image_pool_stats_t *out);

/* Runs every job already queued (each gets its done), stops the threads and frees the pool. */
void fidx__image_pool_free(fidx__image_pool_t *pool);

#endif
