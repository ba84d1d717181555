/* Fuzz target for the console's session cookie and CSRF token (service/src/routes/session.c,
 * service/src/admin/sessions.c; libFuzzer; replayed by ctest, see docs/FUZZING.md): the Cookie
 * and X-CSRF-Token header values as any bytes. Input: the Cookie value, then after the first
 * '\n' the X-CSRF-Token value; byte 0 of the input, when it is '!', puts the store's real
 * session id in place of the first 64 bytes after "fidx_session=" (so the valid path is
 * reached too).
 * Properties: the id read lies inside the header and holds no ';' or ' '; a session is found
 * only when the id read is exactly the live one; the CSRF check passes only for exactly the
 * session's token; nothing is read past either field (blocks of their exact size). */
#include "routes/session.h"

#include "fuzz_common.h"

static fidx__sessions_t *store;
static char live_id[FIDX__SESSION_ID_HEX + 1];
static fidx__session_t live;
static const uint8_t digest[32];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!store) {
        FUZZ_CHECK(fidx__sessions_new(60000, 600000, &store) == 0, "a store");
        FUZZ_CHECK(fidx__sessions_create(store, "fuzz", 1, digest, 1000, live_id, &live) == 0,
                   "one");
    }
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t clen = nl ? (size_t)(nl - in) : size;
    char *cookie = fuzz_dup(in, clen);
    char *csrf = nl ? fuzz_dup(nl + 1, size - clen - 1) : NULL;
    static const char key[] = FIDX__SESSION_COOKIE "=";
    char *at = clen > 0 && cookie[0] == '!' ? memmem(cookie, clen, key, sizeof key - 1) : NULL;
    if (at && (size_t)(at - cookie) + sizeof key - 1 + FIDX__SESSION_ID_HEX <= clen)
        memcpy(at + sizeof key - 1, live_id, FIDX__SESSION_ID_HEX);
    fidx__req_t req;
    memset(&req, 0, sizeof req);
    req.kept[FIDX__H_COOKIE] = fidx_str(cookie, clen);
    if (csrf)
        req.kept[FIDX__H_CSRF_TOKEN] = fidx_str(csrf, size - clen - 1);
    fidx_str_t id;
    if (fidx__session_cookie(&req, &id) == 0) {
        FUZZ_CHECK(id.p >= cookie && id.p + id.len <= cookie + clen, "the id is in the header");
        FUZZ_CHECK(!memchr(id.p, ';', id.len) && !memchr(id.p, ' ', id.len), "one cookie's value");
        fidx__session_t se;
        int found = fidx__sessions_use(store, id.p, id.len, 2000, &se) == 0;
        int exact = id.len == FIDX__SESSION_ID_HEX && memcmp(id.p, live_id, id.len) == 0;
        FUZZ_CHECK(found == exact, "found exactly the live session");
        if (found) {
            int ok = fidx__session_csrf_ok(&req, &se);
            int same = csrf && size - clen - 1 == FIDX__SESSION_CSRF_HEX &&
                       memcmp(csrf, live.csrf, FIDX__SESSION_CSRF_HEX) == 0;
            FUZZ_CHECK(ok == same, "the CSRF token is exactly the session's");
        }
    }
    free(cookie);
    free(csrf);
    return 0;
}
