/* The audit log's index (audit_index.h): an open-addressing table of values (linear probing,
 * at most half full) whose slots head singly linked lists of line locations, newest first,
 * in one growing array of nodes with a free list for the ones a full list drops. */
#include "admin/audit_index.h"

#include "fidx/str.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#define TRUNCATED 0x80000000u
#define READ_CHUNK (4u << 20)

typedef struct {
    uint64_t key;  /* 0: empty */
    uint32_t head; /* node index + 1; 0: none */
    uint32_t kept; /* nodes in the list; TRUNCATED set once one was dropped */
} slot_t;

typedef struct {
    uint64_t off;
    uint32_t len;
    uint32_t next; /* node index + 1 */
} node_t;

struct fidx__audit_index {
    pthread_mutex_t mu;
    slot_t *slots;
    size_t cap, used;
    node_t *nodes;
    size_t n_nodes, cap_nodes;
    uint32_t free_nodes; /* node index + 1 */
    uint64_t end;        /* the file's end as far as indexed */
    uint64_t lines, refs, skipped;
};

int fidx__audit_index_new(fidx__audit_index_t **out)
{
    fidx__audit_index_t *ix = calloc(1, sizeof *ix);
    if (!ix)
        return FIDX_ENOMEM;
    pthread_mutex_init(&ix->mu, NULL);
    *out = ix;
    return 0;
}

static void clear(fidx__audit_index_t *ix)
{
    free(ix->slots);
    free(ix->nodes);
    ix->slots = NULL;
    ix->nodes = NULL;
    ix->cap = ix->used = ix->n_nodes = ix->cap_nodes = 0;
    ix->free_nodes = 0;
    ix->end = ix->lines = ix->refs = ix->skipped = 0;
}

void fidx__audit_index_free(fidx__audit_index_t *ix)
{
    if (!ix)
        return;
    clear(ix);
    pthread_mutex_destroy(&ix->mu);
    free(ix);
}

static uint64_t value_key(fidx_kind_t kind, const char *v, size_t len)
{
    uint64_t k = XXH3_64bits_withSeed(v, len, (XXH64_hash_t)kind + 0x5eed);
    return k ? k : 1;
}

/* ---- the table ---- */

static slot_t *slot_find(const fidx__audit_index_t *ix, uint64_t key)
{
    if (!ix->cap)
        return NULL;
    for (size_t i = key & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
        if (ix->slots[i].key == key)
            return &ix->slots[i];
        if (!ix->slots[i].key)
            return NULL;
    }
}

static int grow_slots(fidx__audit_index_t *ix)
{
    size_t cap = ix->cap ? ix->cap * 2 : 1024;
    slot_t *s = calloc(cap, sizeof *s);
    if (!s)
        return FIDX_ENOMEM;
    for (size_t i = 0; i < ix->cap; i++) {
        if (!ix->slots[i].key)
            continue;
        size_t j = ix->slots[i].key & (cap - 1);
        while (s[j].key)
            j = (j + 1) & (cap - 1);
        s[j] = ix->slots[i];
    }
    free(ix->slots);
    ix->slots = s;
    ix->cap = cap;
    return 0;
}

static slot_t *slot_get(fidx__audit_index_t *ix, uint64_t key)
{
    slot_t *s = slot_find(ix, key);
    if (s)
        return s;
    if ((ix->used + 1) * 2 > ix->cap && grow_slots(ix) != 0)
        return NULL;
    size_t i = key & (ix->cap - 1);
    while (ix->slots[i].key)
        i = (i + 1) & (ix->cap - 1);
    ix->slots[i].key = key;
    ix->used++;
    return &ix->slots[i];
}

static uint32_t node_new(fidx__audit_index_t *ix)
{
    if (ix->free_nodes) {
        uint32_t n = ix->free_nodes;
        ix->free_nodes = ix->nodes[n - 1].next;
        return n;
    }
    if (ix->n_nodes == ix->cap_nodes) {
        size_t cap = ix->cap_nodes ? ix->cap_nodes * 2 : 1024;
        node_t *p = cap < UINT32_MAX ? realloc(ix->nodes, cap * sizeof *p) : NULL;
        if (!p)
            return 0;
        ix->nodes = p;
        ix->cap_nodes = cap;
    }
    return (uint32_t)++ix->n_nodes;
}

/* Drops the oldest node of a full list (the last one) onto the free list. */
static void drop_oldest(fidx__audit_index_t *ix, slot_t *s)
{
    uint32_t *link = &s->head;
    while (ix->nodes[*link - 1].next)
        link = &ix->nodes[*link - 1].next;
    uint32_t n = *link;
    *link = 0;
    ix->nodes[n - 1].next = ix->free_nodes;
    ix->free_nodes = n;
    s->kept = (s->kept - 1) | TRUNCATED;
    ix->refs--;
}

static int refer(fidx__audit_index_t *ix, uint64_t key, uint64_t off, uint32_t len)
{
    slot_t *s = slot_get(ix, key);
    if (!s)
        return FIDX_ENOMEM;
    if (s->head && ix->nodes[s->head - 1].off == off)
        return 0; /* the line names the value twice */
    if ((s->kept & ~TRUNCATED) >= FIDX__AUDIT_INDEX_PER_VALUE)
        drop_oldest(ix, s);
    uint32_t n = node_new(ix);
    if (!n)
        return FIDX_ENOMEM;
    ix->nodes[n - 1] = (node_t){off, len, s->head};
    s->head = n;
    s->kept++;
    ix->refs++;
    return 0;
}

/* ---- lines ---- */

typedef struct {
    fidx__audit_index_t *ix;
    uint64_t off;
    uint32_t len;
    int named;
} line_ctx_t;

static int index_value(void *arg, fidx_kind_t kind, const char *v, size_t len)
{
    line_ctx_t *c = arg;
    c->named = 1;
    int rc = refer(c->ix, value_key(kind, v, len), c->off, c->len);
    const char *colon = kind == FIDX_KIND_BANK_ACCOUNT ? memchr(v, ':', len) : NULL;
    if (rc == 0 && colon && !(colon == v + 1 && v[0] == '*')) {
        /* Filed under its digits too: a search without the bank finds it. */
        char any[FIDX_CANON_CAP + 2];
        size_t dl = len - (size_t)(colon - v) - 1;
        if (dl + 2 < sizeof any) {
            any[0] = '*';
            any[1] = ':';
            memcpy(any + 2, colon + 1, dl);
            rc = refer(c->ix, value_key(kind, any, dl + 2), c->off, c->len);
        }
    }
    return rc;
}

/* One whole line (newline included) at off. */
static void index_line(fidx__audit_index_t *ix, uint64_t off, const char *p, size_t len)
{
    line_ctx_t c = {ix, off, (uint32_t)len, 0};
    if (len > FIDX__AUDIT_LINE_MAX || fidx__audit_line_values(p, len, index_value, &c) != 0 ||
        !c.named) {
        ix->skipped++;
        return;
    }
    ix->lines++;
}

/* Indexes the whole lines of p[0..len) at off; returns the bytes they take (a torn end is
 * left for later). */
static size_t index_text(fidx__audit_index_t *ix, uint64_t off, const char *p, size_t len)
{
    size_t at = 0;
    for (;;) {
        const char *nl = memchr(p + at, '\n', len - at);
        if (!nl)
            return at;
        size_t n = (size_t)(nl - (p + at)) + 1;
        index_line(ix, off + at, p + at, n);
        at += n;
    }
}

void fidx__audit_index_add(fidx__audit_index_t *ix, uint64_t off, const char *text, size_t len)
{
    pthread_mutex_lock(&ix->mu);
    if (off < ix->end)
        clear(ix); /* the file was cut: what is indexed points into lines that are gone */
    index_text(ix, off, text, len);
    ix->end = off + len;
    pthread_mutex_unlock(&ix->mu);
}

/* Skips to the end of an overlong line that starts in buf, reading on from off. */
static int skip_long_line(int fd, char *buf, uint64_t *off)
{
    for (;;) {
        ssize_t n = pread(fd, buf, READ_CHUNK, (off_t)*off);
        if (n <= 0)
            return n < 0 ? -1 : 1; /* 1: the file ends inside it (a torn tail) */
        const char *nl = memchr(buf, '\n', (size_t)n);
        *off += nl ? (uint64_t)(nl - buf) + 1 : (uint64_t)n;
        if (nl)
            return 0;
    }
}

int fidx__audit_index_load(fidx__audit_index_t *ix, int fd, char *msg, size_t cap)
{
    char *buf = malloc(READ_CHUNK + FIDX__AUDIT_LINE_MAX);
    uint64_t off = 0;
    int rc = 0;
    if (!buf) {
        snprintf(msg, cap, "out of memory indexing the audit log");
        return -1;
    }
    pthread_mutex_lock(&ix->mu);
    for (;;) {
        ssize_t n = pread(fd, buf, READ_CHUNK + FIDX__AUDIT_LINE_MAX, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        size_t used = index_text(ix, off, buf, (size_t)n);
        off += used;
        if (used == 0 && (size_t)n >= FIDX__AUDIT_LINE_MAX) { /* no newline: a line too long */
            ix->skipped++;
            int r = skip_long_line(fd, buf, &off);
            if (r != 0) {
                rc = r < 0 ? -1 : 0;
                break;
            }
        } else if (used == 0) {
            break; /* a torn tail: never acknowledged, and cut when the log opens to write */
        }
    }
    ix->end = off;
    pthread_mutex_unlock(&ix->mu);
    free(buf);
    if (rc)
        snprintf(msg, cap, "cannot read the audit log: %s", strerror(errno));
    return rc;
}

size_t fidx__audit_index_find(fidx__audit_index_t *ix, fidx_kind_t kind, const char *v, size_t len,
                              fidx__audit_loc_t *out, size_t max, int *truncated)
{
    size_t n = 0;
    *truncated = 0;
    pthread_mutex_lock(&ix->mu);
    const slot_t *s = slot_find(ix, value_key(kind, v, len));
    uint32_t i = s ? s->head : 0;
    for (; i && n < max; i = ix->nodes[i - 1].next)
        out[n++] = (fidx__audit_loc_t){ix->nodes[i - 1].off, ix->nodes[i - 1].len};
    *truncated = s && ((s->kept & TRUNCATED) || i); /* dropped, or more than max */
    pthread_mutex_unlock(&ix->mu);
    return n;
}

void fidx__audit_index_stats(fidx__audit_index_t *ix, fidx__audit_index_stats_t *st)
{
    pthread_mutex_lock(&ix->mu);
    st->values = ix->used;
    st->lines = ix->lines;
    st->refs = ix->refs;
    st->skipped = ix->skipped;
    st->bytes = ix->cap * sizeof(slot_t) + ix->cap_nodes * sizeof(node_t);
    pthread_mutex_unlock(&ix->mu);
}

/* ---- reading a line's values ---- */

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* A \uXXXX escape at p (4 hex digits) as UTF-8 into out; its length, 0 when invalid or a
 * surrogate (values never hold one). */
static size_t utf8_of_escape(const char *p, char *out)
{
    unsigned u = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(p[k]);
        if (h < 0)
            return 0;
        u = u << 4 | (unsigned)h;
    }
    if (u >= 0xD800 && u < 0xE000)
        return 0;
    if (u < 0x80) {
        out[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        out[0] = (char)(0xC0 | u >> 6), out[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | u >> 12), out[1] = (char)(0x80 | (u >> 6 & 0x3F));
    out[2] = (char)(0x80 | (u & 0x3F));
    return 3;
}

/* The JSON string whose content starts at p[*i] (after its opening quote), unescaped into
 * out (cap bytes). Its length, with *i past the closing quote; -1 when it is not one. */
static long json_str(const char *p, size_t len, size_t *i, char *out, size_t cap)
{
    size_t n = 0;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    while (*i < len && p[*i] != '"') {
        char c = p[(*i)++];
        char u[4];
        size_t k = 1;
        u[0] = c;
        if (c == '\\') {
            const char *e = *i < len && p[*i] ? strchr(from, p[*i]) : NULL;
            if (*i < len && p[*i] == 'u') {
                k = *i + 5 <= len ? utf8_of_escape(p + *i + 1, u) : 0;
                *i += 5;
            } else if (e) {
                u[0] = to[e - from];
                (*i)++;
            } else {
                k = 0;
            }
            if (k == 0)
                return -1;
        } else if ((unsigned char)c < 0x20) {
            return -1;
        }
        if (n + k >= cap)
            return -1;
        memcpy(out + n, u, k);
        n += k;
    }
    if (*i >= len)
        return -1;
    (*i)++;
    return (long)n;
}

int fidx__audit_line_values(const char *p, size_t len, fidx__audit_value_fn fn, void *arg)
{
    static const char key[] = "\"kind\":\"", mid[] = "\",\"value\":\"";
    const size_t kl = sizeof key - 1, ml = sizeof mid - 1;
    char v[FIDX_CANON_CAP];
    size_t at = 0;
    for (const char *hit; at < len && (hit = memmem(p + at, len - at, key, kl)) != NULL;) {
        size_t i = (size_t)(hit - p) + kl, k0 = i;
        at = i;
        while (i < len && ((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_') && i - k0 < 16)
            i++;
        fidx_kind_t kind;
        if (i + ml > len || memcmp(p + i, mid, ml) != 0 ||
            fidx_kind_parse(p + k0, i - k0, &kind) != 0)
            continue;
        i += ml;
        long n = json_str(p, len, &i, v, sizeof v);
        at = i;
        if (n <= 0)
            continue;
        int rc = fn(arg, kind, v, (size_t)n);
        if (rc)
            return rc;
    }
    return 0;
}
