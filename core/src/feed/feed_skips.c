/* What MISP and STIX readers skip silently, counted, so that a document that gave no row at
 * all can say why (a 55 MB event of 100,000 attributes of types we do not map used to end in
 * a bare "no usable indicator"). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "feed/feed_internal.h"

void fidx__feed_skips_type(fidx__feed_skips_t *s, fidx_str_t type)
{
    size_t n =
        type.p ? (type.len < sizeof s->type[0].name ? type.len : sizeof s->type[0].name - 1) : 0;
    for (size_t i = 0; i < FIDX__SKIP_TYPES; i++) {
        if (s->type[i].n == 0) {
            memcpy(s->type[i].name, n ? type.p : "(none)", n ? n : 6);
            s->type[i].name[n ? n : 6] = '\0';
        }
        if (strlen(s->type[i].name) == (n ? n : 6) &&
            memcmp(s->type[i].name, n ? type.p : "(none)", n ? n : 6) == 0) {
            s->type[i].n++;
            return;
        }
    }
    s->n_other_types++;
}

/* Appends to buf at *at, never past cap - 1. */
static void put(char *buf, size_t cap, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t cap, size_t *at, const char *fmt, ...)
{
    if (*at >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *at, cap - *at, fmt, ap);
    va_end(ap);
    if (n > 0)
        *at = *at + (size_t)n < cap ? *at + (size_t)n : cap - 1;
}

size_t fidx__feed_skips_describe(const fidx__feed_skips_t *s, char *buf, size_t cap)
{
    size_t at = 0;
    uint64_t typed = s->n_other_types;
    if (cap == 0)
        return 0;
    buf[0] = '\0';
    for (size_t i = 0; i < FIDX__SKIP_TYPES; i++)
        typed += s->type[i].n;
    if (s->n_records == 0) {
        put(buf, cap, &at, "no %s in the document", s->records);
        return at;
    }
    put(buf, cap, &at, "%" PRIu64 " %s, none usable", s->n_records, s->records);
    const char *sep = ": ";
    if (typed) {
        put(buf, cap, &at, "%s%" PRIu64 " %s (", sep, typed, s->types_said);
        for (size_t i = 0; i < FIDX__SKIP_TYPES && s->type[i].n; i++)
            put(buf, cap, &at, "%s%s %" PRIu64, i ? ", " : "", s->type[i].name, s->type[i].n);
        if (s->n_other_types)
            put(buf, cap, &at, ", others %" PRIu64, s->n_other_types);
        put(buf, cap, &at, ")");
        sep = "; ";
    }
    if (s->n_context) {
        put(buf, cap, &at, "%s%" PRIu64 " %s", sep, s->n_context, s->context_said);
        sep = "; ";
    }
    if (s->n_none && s->none_said)
        put(buf, cap, &at, "%s%" PRIu64 " %s", sep, s->n_none, s->none_said);
    return at;
}
