/* Unit tests of the review queue's groups (service/src/reports/report_groups.h): a group opens
 * with its value's first pending report and closes with its last, groups page in the order
 * they opened, disputes are counted, and a long random run of reports coming and going agrees
 * with a plain model (the table's deletions shift entries back; a wrong shift loses groups). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reports/report_groups.h"

static int count_groups(const fidx__group_t *g, void *arg)
{
    (void)g;
    (*(size_t *)arg)++;
    return 0;
}

typedef struct {
    uint64_t opened[16];
    size_t n;
} order_t;

static int note_order(const fidx__group_t *g, void *arg)
{
    order_t *o = arg;
    o->opened[o->n++] = g->opened;
    return o->n == 2; /* stop after two */
}

static void open_close_and_order(void **state)
{
    (void)state;
    fidx__groups_t *g;
    fidx__group_t v;
    size_t disputes;
    assert_int_equal(fidx__groups_new(&g), 0);
    assert_int_equal(fidx__groups_add(g, FIDX_KIND_PHONE, "+84911", 6, 1, 0), 0);
    assert_int_equal(fidx__groups_add(g, FIDX_KIND_PHONE, "+84922", 6, 2, 1), 0);
    assert_int_equal(fidx__groups_add(g, FIDX_KIND_PHONE, "+84911", 6, 3, 1), 0);
    assert_int_equal(fidx__groups_add(g, FIDX_KIND_EMAIL, "+84911", 6, 4, 0), 0); /* other kind */
    assert_int_equal(fidx__groups_count(g, &disputes), 3);
    assert_int_equal(disputes, 2);
    assert_int_equal(fidx__groups_get(g, FIDX_KIND_PHONE, "+84911", 6, &v), 1);
    assert_int_equal(v.n, 2);
    assert_int_equal(v.seqs[1], 3);
    assert_int_equal(v.disputes, 1);
    assert_int_equal(v.opened, 1);
    order_t o = {0};
    assert_int_equal(fidx__groups_each(g, 0, 0, note_order, &o), 2);
    assert_int_equal(o.opened[0], 1);
    o.n = 0;
    fidx__groups_each(g, 1, 0, note_order, &o); /* after the first */
    assert_int_equal(o.opened[0], 2);
    assert_int_equal(o.opened[1], 4);
    o.n = 0;
    fidx__groups_each(g, 0, 1, note_order, &o); /* with disputes only */
    assert_int_equal(o.opened[0], 1);
    assert_int_equal(o.opened[1], 2);
    /* The first group loses its reports: it closes, and a new report reopens it last. */
    fidx__groups_remove(g, FIDX_KIND_PHONE, "+84911", 6, 1, 0);
    fidx__groups_remove(g, FIDX_KIND_PHONE, "+84911", 6, 3, 1);
    assert_int_equal(fidx__groups_get(g, FIDX_KIND_PHONE, "+84911", 6, &v), 0);
    assert_int_equal(fidx__groups_count(g, &disputes), 2);
    assert_int_equal(disputes, 1);
    assert_int_equal(fidx__groups_add(g, FIDX_KIND_PHONE, "+84911", 6, 5, 0), 0);
    o.n = 0;
    fidx__groups_each(g, 0, 0, note_order, &o);
    assert_int_equal(o.opened[0], 2);
    assert_int_equal(o.opened[1], 4);
    size_t n = 0;
    fidx__groups_each(g, 0, 0, count_groups, &n);
    assert_int_equal(n, 3);
    fidx__groups_free(g);
}

/* Values 0..V-1 as text; the model counts each value's pending reports. */
#define V 3000
#define STEPS 200000

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

typedef struct {
    uint64_t *seqs;
    size_t n, cap;
} model_t;

static void random_run_agrees_with_a_model(void **state)
{
    (void)state;
    fidx__groups_t *g;
    model_t *m = calloc(V, sizeof *m);
    uint64_t seq = 0;
    size_t open = 0;
    char v[16];
    assert_int_equal(fidx__groups_new(&g), 0);
    for (int step = 0; step < STEPS; step++) {
        unsigned k = (unsigned)(next_rand() % V);
        int len = snprintf(v, sizeof v, "+849%06u", k);
        if (m[k].n && next_rand() % 2) { /* decide one of its reports */
            size_t i = (size_t)(next_rand() % m[k].n);
            fidx__groups_remove(g, FIDX_KIND_PHONE, v, (size_t)len, m[k].seqs[i], 0);
            memmove(m[k].seqs + i, m[k].seqs + i + 1, (m[k].n - i - 1) * sizeof *m[k].seqs);
            open -= --m[k].n == 0;
        } else {
            assert_int_equal(fidx__groups_add(g, FIDX_KIND_PHONE, v, (size_t)len, ++seq, 0), 0);
            if (m[k].n == m[k].cap)
                m[k].seqs = realloc(m[k].seqs, (m[k].cap = m[k].cap * 2 + 4) * sizeof(uint64_t));
            open += m[k].n == 0;
            m[k].seqs[m[k].n++] = seq;
        }
    }
    assert_int_equal(fidx__groups_count(g, NULL), open);
    size_t n = 0;
    fidx__groups_each(g, 0, 0, count_groups, &n);
    assert_int_equal(n, open);
    for (unsigned k = 0; k < V; k++) {
        fidx__group_t got;
        int len = snprintf(v, sizeof v, "+849%06u", k);
        int found = fidx__groups_get(g, FIDX_KIND_PHONE, v, (size_t)len, &got);
        assert_int_equal(found, m[k].n > 0);
        if (found) {
            assert_int_equal(got.n, m[k].n);
            assert_memory_equal(got.seqs, m[k].seqs, m[k].n * sizeof(uint64_t));
        }
        free(m[k].seqs);
    }
    free(m);
    fidx__groups_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_close_and_order),
        cmocka_unit_test(random_run_agrees_with_a_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
