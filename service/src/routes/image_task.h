/* Reading an image off the event loop (docs/IMAGES.md): a task carries an image's bytes to the
 * service's image pool (image/image_pool.h), where a pool thread decodes it and reads its QR
 * codes and its text within the image time limit, then comes back to the worker loop that
 * submitted it (uv_async), where its callback runs. POST /v1/image (routes/image.c) is built on
 * it, and so can a page route be: bytes in, a callback on the worker's thread out. */
#ifndef FIDX_SERVICE_ROUTES_IMAGE_TASK_H
#define FIDX_SERVICE_ROUTES_IMAGE_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "image/image_read.h"
#include "service.h"

/* What became of an image, as its callback sees it. */
typedef struct {
    /* 0: res holds what was read. Else: FIDX_EINVAL or FIDX_ETOOBIG (the image itself, a
     * 400 or 413, with err.reason), FIDX_ENOMEM, FIDX_ELIMIT (its time limit ran out before a
     * thread took it up: a 503), or FIDX_EIO with cancelled set. */
    int rc;
    fidx_err_t err;
    /* The worker is ending and its loop is gone: the callback runs on the main thread and
     * must only free what it holds (a deferred reply may be sent: its client is gone). */
    int cancelled;
    int ocr_off;                  /* no OCR engine could be loaded: the text was not read */
    uint64_t waited_us, total_us; /* in the queue; from submission to the callback */
    fidx__image_result_t res;     /* borrowed until the callback returns */
} fidx__image_outcome_t;

typedef void (*fidx__image_task_cb)(fidx__worker_t *w, const fidx__image_outcome_t *out, void *arg);

/* Reads the image bytes[0..len) on the pool (its QR codes, and its text), then calls
 * cb(w, outcome, arg) once, on w's thread. bytes are handed over (freed with free(), on
 * failure too). Call on w's thread. Returns 0, or without calling cb: FIDX_ELIMIT (the pool's
 * queue is full: answer 503 with Retry-After), FIDX_EINVAL (images are off, --image-threads 0,
 * or the service is stopping), FIDX_ENOMEM. */
FIDX_MUST_CHECK int fidx__image_task_submit(fidx__worker_t *w, uint8_t *bytes, size_t len,
                                            fidx__image_task_cb cb, void *arg);

/* The process's side (server.c): start makes the pool (its OCR engines load on each thread's
 * first image), -1 logged on failure; stop cancels what waits and frees it, once every worker
 * thread has ended and before the workers are disposed of. */
int fidx__image_task_start(fidx__service_t *svc);
void fidx__image_task_stop(fidx__service_t *svc);

/* The pool's counts now (image_pool.h), for /metrics: 0 and *out zeroed when images are off. */
int fidx__image_task_stats(const fidx__service_t *svc, uint64_t *waiting, uint64_t *running,
                           uint64_t *done, uint64_t *refused);

/* A worker's side: init with its loop; finish with its other handles (tasks that come back
 * later wait for dispose); dispose calls their callbacks, cancelled, after stop. */
int fidx__image_task_worker_init(fidx__worker_t *w);
void fidx__image_task_worker_finish(fidx__worker_t *w);
void fidx__image_task_worker_dispose(fidx__worker_t *w);

#endif
