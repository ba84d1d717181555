/* The console's session store (sessions.h): a fixed table of hashed ids. */
#include "admin/sessions.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <nettle/memops.h>
#include <nettle/sha2.h>

#define RAW 32 /* bytes of an id and of a CSRF token */

typedef struct {
    uint8_t hash[SHA256_DIGEST_SIZE]; /* of the id's hex text */
    fidx__session_t se;
    uint64_t created_ms, used_ms;
    int live;
} slot_t;

struct fidx__sessions {
    pthread_mutex_t mu;
    uint64_t idle_ms, max_ms;
    slot_t slot[FIDX__SESSIONS_MAX];
};

int fidx__sessions_new(uint64_t idle_ms, uint64_t max_ms, fidx__sessions_t **out)
{
    fidx__sessions_t *s = calloc(1, sizeof *s);
    if (!s)
        return FIDX_ENOMEM;
    pthread_mutex_init(&s->mu, NULL);
    s->idle_ms = idle_ms;
    s->max_ms = max_ms;
    *out = s;
    return 0;
}

void fidx__sessions_free(fidx__sessions_t *s)
{
    if (!s)
        return;
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static int random_hex(char *out)
{
    static const char digits[] = "0123456789abcdef";
    uint8_t raw[RAW];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return -1;
    for (size_t i = 0; i < RAW; i++) {
        out[2 * i] = digits[raw[i] >> 4];
        out[2 * i + 1] = digits[raw[i] & 15];
    }
    out[2 * RAW] = '\0';
    return 0;
}

static void hash_id(const char *id, size_t len, uint8_t out[SHA256_DIGEST_SIZE])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, (const uint8_t *)id);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

static uint64_t ends_at(const fidx__sessions_t *s, const slot_t *sl)
{
    uint64_t idle = sl->used_ms + s->idle_ms, hard = sl->created_ms + s->max_ms;
    return idle < hard ? idle : hard;
}

/* A free slot, or the one used least recently. Under mu. */
static slot_t *take_slot(fidx__sessions_t *s)
{
    slot_t *oldest = &s->slot[0];
    for (size_t i = 0; i < FIDX__SESSIONS_MAX; i++) {
        if (!s->slot[i].live)
            return &s->slot[i];
        if (s->slot[i].used_ms < oldest->used_ms)
            oldest = &s->slot[i];
    }
    return oldest;
}

int fidx__sessions_create(fidx__sessions_t *s, const char *name, int role,
                          const uint8_t *token_digest, uint64_t now_ms,
                          char id[FIDX__SESSION_ID_HEX + 1], fidx__session_t *out)
{
    fidx__session_t se = {.role = role};
    memcpy(se.token_digest, token_digest, sizeof se.token_digest);
    if (random_hex(id) != 0 || random_hex(se.csrf) != 0)
        return FIDX_EIO;
    size_t n = strlen(name);
    if (n > FIDX__SESSION_NAME_MAX)
        n = FIDX__SESSION_NAME_MAX;
    memcpy(se.name, name, n);
    se.name[n] = '\0';
    pthread_mutex_lock(&s->mu);
    slot_t *sl = take_slot(s);
    hash_id(id, FIDX__SESSION_ID_HEX, sl->hash);
    sl->created_ms = sl->used_ms = now_ms;
    sl->live = 1;
    se.expires_ms = ends_at(s, sl);
    sl->se = se;
    *out = se;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static int well_formed(const char *id, size_t len)
{
    if (len != FIDX__SESSION_ID_HEX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return 0;
    return 1;
}

/* The live slot of id, or NULL. Under mu. */
static slot_t *find(fidx__sessions_t *s, const char *id, size_t len)
{
    uint8_t h[SHA256_DIGEST_SIZE];
    if (!well_formed(id, len))
        return NULL;
    hash_id(id, len, h);
    for (size_t i = 0; i < FIDX__SESSIONS_MAX; i++)
        if (s->slot[i].live && memcmp(s->slot[i].hash, h, sizeof h) == 0)
            return &s->slot[i];
    return NULL;
}

int fidx__sessions_use(fidx__sessions_t *s, const char *id, size_t len, uint64_t now_ms,
                       fidx__session_t *out)
{
    int r = -1;
    pthread_mutex_lock(&s->mu);
    slot_t *sl = find(s, id, len);
    if (sl && now_ms >= ends_at(s, sl)) {
        memset(sl, 0, sizeof *sl);
    } else if (sl) {
        sl->used_ms = now_ms;
        sl->se.expires_ms = ends_at(s, sl);
        *out = sl->se;
        r = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return r;
}

void fidx__sessions_end(fidx__sessions_t *s, const char *id, size_t len)
{
    pthread_mutex_lock(&s->mu);
    slot_t *sl = find(s, id, len);
    if (sl)
        memset(sl, 0, sizeof *sl);
    pthread_mutex_unlock(&s->mu);
}

int fidx__sessions_csrf_ok(const fidx__session_t *se, const char *p, size_t len)
{
    return p && len == FIDX__SESSION_CSRF_HEX && memeql_sec(se->csrf, p, FIDX__SESSION_CSRF_HEX);
}
