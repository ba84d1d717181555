/* Unit tests for image_pool.c: with every thread busy, queue_limit jobs wait and the next is
 * refused at once (FIDX_ELIMIT, counted); stopping runs every queued job and its done on a pool
 * thread; each thread's own Tesseract engine reads real screenshots side by side; an engine
 * that cannot load fails the pool's start with a reason. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "image_fixture.h"
#include "image_pool.h"
#include "image_read.h"

/* Jobs that hold their thread until the gate opens. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int open;
    int started, finished;
    int on_pool_thread; /* every done ran off the test's thread */
    pthread_t main;
    int had_engine;
} gate_t;

typedef struct {
    fidx__image_job_t job; /* first: the callbacks get it back */
    gate_t *gate;
} gated_job_t;

static void gated_work(fidx__image_job_t *job, fidx__ocr_t *ocr)
{
    gate_t *g = ((gated_job_t *)job)->gate;
    pthread_mutex_lock(&g->lock);
    g->started++;
    g->had_engine |= ocr != NULL; /* a pool without OCR gives none */
    pthread_cond_broadcast(&g->changed);
    while (!g->open)
        pthread_cond_wait(&g->changed, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void gated_done(fidx__image_job_t *job)
{
    gate_t *g = ((gated_job_t *)job)->gate;
    pthread_mutex_lock(&g->lock);
    g->finished++;
    g->on_pool_thread &= !pthread_equal(pthread_self(), g->main);
    pthread_mutex_unlock(&g->lock);
}

static void wait_started(gate_t *g, int n)
{
    pthread_mutex_lock(&g->lock);
    while (g->started < n)
        pthread_cond_wait(&g->changed, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void queue_limit_case(unsigned threads, unsigned limit)
{
    gate_t g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 1, pthread_self(), 0};
    fidx__image_pool_config_t cfg = {threads, limit, 0, NULL, 0, 0};
    fidx__image_pool_t *pool = NULL;
    fidx_err_t err = {0, 0, NULL};
    assert_int_equal(fidx__image_pool_new(&cfg, &pool, &err), 0);
    gated_job_t jobs[16];
    unsigned accepted = threads + limit;
    assert_true(accepted + 1 <= 16);
    for (unsigned i = 0; i <= accepted; i++)
        jobs[i] = (gated_job_t){{gated_work, gated_done, NULL}, &g};
    for (unsigned i = 0; i < threads; i++)
        assert_int_equal(fidx__image_pool_submit(pool, &jobs[i].job), 0);
    wait_started(&g, (int)threads); /* every thread is busy */
    for (unsigned i = threads; i < accepted; i++)
        assert_int_equal(fidx__image_pool_submit(pool, &jobs[i].job), 0);
    /* The (limit + 1)th waiting job is refused at once. */
    assert_int_equal(fidx__image_pool_submit(pool, &jobs[accepted].job), FIDX_ELIMIT);
    fidx__image_pool_stats_t s;
    fidx__image_pool_stats(pool, &s);
    assert_int_equal(s.running, threads);
    assert_int_equal(s.waiting, limit);
    assert_int_equal(s.refused, 1);
    pthread_mutex_lock(&g.lock);
    g.open = 1;
    pthread_cond_broadcast(&g.changed);
    pthread_mutex_unlock(&g.lock);
    fidx__image_pool_free(pool); /* runs what is queued, then stops */
    assert_int_equal(g.finished, (int)accepted);
    assert_int_equal(g.started, (int)accepted);
    assert_true(g.on_pool_thread);
    assert_false(g.had_engine);
}

static void queue_limit(void **state)
{
    (void)state;
    queue_limit_case(2, 3);
    queue_limit_case(2, 0); /* no waiting at all: busy threads refuse the third job */
    queue_limit_case(1, 8);
}

/* Jobs that read a screenshot with the thread's own engine. */
typedef struct {
    fidx__image_job_t job;
    image_file_t file;
    fidx__image_result_t result;
    int rc;
} read_job_t;

static void read_work(fidx__image_job_t *job, fidx__ocr_t *ocr)
{
    read_job_t *j = (read_job_t *)job;
    j->rc = fidx__image_read(j->file.p, j->file.len, FIDX__IMAGE_READ_QR | FIDX__IMAGE_READ_OCR,
                             ocr, 0, &j->result, NULL);
}

static void read_done(fidx__image_job_t *job)
{
    (void)job;
}

static void ocr_side_by_side(void **state)
{
    (void)state;
    fidx__image_pool_config_t cfg = {2, 4, 1, NULL, 0, 0};
    fidx__image_pool_t *pool = NULL;
    fidx_err_t err = {0, 0, NULL};
    assert_int_equal(fidx__image_pool_new(&cfg, &pool, &err), 0);
    static const char *names[] = {"qr_shot.png", "qr_shot.jpg", "qr_shot.webp", "qr_shot.png"};
    read_job_t jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (read_job_t){
            .job = {read_work, read_done, NULL}, .file = image_file(names[i]), .rc = -1};
        assert_int_equal(fidx__image_pool_submit(pool, &jobs[i].job), 0);
    }
    fidx__image_pool_free(pool);
    char *want = image_text("qr_vcb.txt");
    for (int i = 0; i < 4; i++) {
        assert_int_equal(jobs[i].rc, 0);
        assert_int_equal(jobs[i].result.qr.count, 1);
        assert_true(fidx_str_eq(jobs[i].result.qr.codes[0], want));
        assert_non_null(strstr(jobs[i].result.ocr.text, "0912.345.678"));
        fidx__image_result_dispose(&jobs[i].result);
        free(jobs[i].file.p);
    }
    free(want);
}

static void bad_config(void **state)
{
    (void)state;
    fidx__image_pool_t *pool = NULL;
    fidx_err_t err = {0, 0, NULL};
    fidx__image_pool_config_t cfg = {2, 1, 1, "/nonexistent-tessdata", 0, 0};
    assert_int_equal(fidx__image_pool_new(&cfg, &pool, &err), FIDX_EINVAL);
    assert_string_equal(err.reason,
                        "Tesseract could not load its models (tesseract-ocr-vie, -eng)");
    assert_null(pool);
    cfg = (fidx__image_pool_config_t){FIDX__IMAGE_POOL_MAX_THREADS + 1, 1, 0, NULL, 0, 0};
    assert_int_equal(fidx__image_pool_new(&cfg, &pool, &err), FIDX_EINVAL);
}

/* A lazy pool starts without loading any engine; a thread whose engine cannot load gives its
 * jobs none (NULL) and the pool goes on. */
typedef struct {
    fidx__image_job_t job;
    int ran, had_engine;
} lazy_job_t;

static void lazy_work(fidx__image_job_t *job, fidx__ocr_t *ocr)
{
    lazy_job_t *j = (lazy_job_t *)job;
    j->ran = 1;
    j->had_engine = ocr != NULL;
}

static void lazy_engines(void **state)
{
    (void)state;
    fidx__image_pool_t *pool = NULL;
    fidx_err_t err = {0, 0, NULL};
    fidx__image_pool_config_t cfg = {1, 2, 1, "/nonexistent-tessdata", 1, 0};
    assert_int_equal(fidx__image_pool_new(&cfg, &pool, &err), 0);
    lazy_job_t a = {{lazy_work, read_done, NULL}, 0, 1}, b = a;
    assert_int_equal(fidx__image_pool_submit(pool, &a.job), 0);
    assert_int_equal(fidx__image_pool_submit(pool, &b.job), 0);
    fidx__image_pool_free(pool); /* runs both */
    assert_true(a.ran && b.ran);
    assert_false(a.had_engine || b.had_engine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queue_limit),
        cmocka_unit_test(ocr_side_by_side),
        cmocka_unit_test(bad_config),
        cmocka_unit_test(lazy_engines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
