/* The scanner against a corpus of realistic posts (tests/corpus/posts.jsonl: scams of every
 * category and ordinary posts with prices, dates, scores, addresses, codes and recipes), each
 * with the indicators a person would pull out of it. Compares, per post, the set of
 * (kind, canonical) pairs found with the set expected; prints every miss and false hit and
 * the precision and recall over the whole corpus, and fails below FIDX_CORPUS_MIN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "fidx/kind.h"
#include "fidx/scan.h"

#define FIDX_CORPUS_MIN 0.95
#define CORPUS_PATH FIDX_SOURCE_DIR "/tests/corpus/posts.jsonl"
#define PAIRS_MAX 64

typedef struct {
    size_t n;
    struct {
        const char *kind;
        const char *canon;
        int matched;
    } p[PAIRS_MAX];
} pairs_t;

typedef struct {
    size_t posts, expected, found, correct;
} tally_t;

static int pair_add(pairs_t *s, const char *kind, const char *canon)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->p[i].kind, kind) == 0 && strcmp(s->p[i].canon, canon) == 0)
            return 0; /* a set: the same indicator twice counts once */
    if (s->n == PAIRS_MAX)
        return -1;
    s->p[s->n].kind = kind;
    s->p[s->n].canon = canon;
    s->p[s->n].matched = 0;
    s->n++;
    return 0;
}

static void expected_pairs(json_t *post, pairs_t *want)
{
    json_t *expect = json_object_get(post, "expect"), *e;
    size_t i;
    want->n = 0;
    assert_true(json_is_array(expect));
    json_array_foreach(expect, i, e)
    {
        const char *k = json_string_value(json_object_get(e, "kind"));
        const char *c = json_string_value(json_object_get(e, "canonical"));
        assert_non_null(k);
        assert_non_null(c);
        assert_int_equal(pair_add(want, k, c), 0);
    }
}

static void found_pairs(const fidx_scan_result_t *r, pairs_t *got)
{
    got->n = 0;
    for (size_t i = 0; i < r->n; i++)
        assert_int_equal(pair_add(got, fidx_kind_name(r->m[i].kind), r->m[i].canonical.p), 0);
}

/* Marks the pairs found in both sets and prints the others. */
static void compare(const char *id, const char *text, pairs_t *want, pairs_t *got, tally_t *t)
{
    for (size_t i = 0; i < got->n; i++)
        for (size_t j = 0; j < want->n; j++)
            if (!want->p[j].matched && strcmp(got->p[i].kind, want->p[j].kind) == 0 &&
                strcmp(got->p[i].canon, want->p[j].canon) == 0) {
                got->p[i].matched = want->p[j].matched = 1;
                t->correct++;
            }
    for (size_t j = 0; j < want->n; j++)
        if (!want->p[j].matched)
            printf("MISS  %-8s %-14s %s\n      in: %s\n", id, want->p[j].kind, want->p[j].canon,
                   text);
    for (size_t i = 0; i < got->n; i++)
        if (!got->p[i].matched)
            printf("FALSE %-8s %-14s %s\n      in: %s\n", id, got->p[i].kind, got->p[i].canon,
                   text);
    t->expected += want->n;
    t->found += got->n;
    t->posts++;
}

static void scan_post(const fidx_scanner_t *sc, fidx_scan_result_t *res, json_t *post, tally_t *t)
{
    const char *id = json_string_value(json_object_get(post, "id"));
    json_t *jt = json_object_get(post, "text");
    assert_non_null(id);
    assert_true(json_is_string(jt));
    const char *text = json_string_value(jt);
    size_t len = json_string_length(jt);
    pairs_t want, got;
    fidx_err_t err;
    expected_pairs(post, &want);
    assert_int_equal(fidx_scan(sc, text, len, res, &err), 0);
    for (size_t i = 0; i < res->n; i++) { /* offsets always point into the text as given */
        assert_true(res->m[i].start < res->m[i].end && res->m[i].end <= len);
        assert_true(i == 0 || res->m[i - 1].end <= res->m[i].start);
    }
    found_pairs(res, &got);
    compare(id, text, &want, &got, t);
}

static void corpus_precision_recall(void **state)
{
    (void)state;
    FILE *f = fopen(CORPUS_PATH, "r");
    assert_non_null(f);
    fidx_scanner_t *sc;
    fidx_err_t err;
    assert_int_equal(fidx_scanner_new(&sc, &err), 0);
    fidx_scan_result_t *res = malloc(sizeof *res);
    assert_non_null(res);
    tally_t t = {0};
    char *line = NULL;
    size_t cap = 0;
    size_t lineno = 0;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        json_error_t jerr;
        json_t *post = json_loads(line, 0, &jerr);
        if (!post)
            fail_msg("%s:%zu: %s", CORPUS_PATH, lineno, jerr.text);
        scan_post(sc, res, post, &t);
        json_decref(post);
    }
    free(line);
    fclose(f);
    free(res);
    fidx_scanner_free(sc);
    double precision = t.found ? (double)t.correct / (double)t.found : 1.0;
    double recall = t.expected ? (double)t.correct / (double)t.expected : 1.0;
    printf("corpus: %zu posts, %zu indicators expected, %zu found, %zu correct\n", t.posts,
           t.expected, t.found, t.correct);
    printf("corpus: precision %.4f  recall %.4f  (minimum %.2f)\n", precision, recall,
           FIDX_CORPUS_MIN);
    assert_true(t.posts >= 150);
    assert_true(precision >= FIDX_CORPUS_MIN);
    assert_true(recall >= FIDX_CORPUS_MIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(corpus_precision_recall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
