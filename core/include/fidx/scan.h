/* The text scanner: every phone number, bank account, URL, domain, social account and e-mail
 * address in a post, written the way scammers write them (shared/API.md, POST /v1/scan;
 * docs/SCAN.md says what is recognised and what is deliberately not).
 *
 * One scanner is made once (it loads the Public Suffix List and builds its word tables) and is
 * then read-only: any number of threads may scan with it at the same time, each with its own
 * result. A scan allocates nothing: its workspace (the cleaned copy of the text and the map of
 * its offsets back to the original) lives in the caller's fidx_scan_result_t, which is large
 * (about 1.5 MiB): allocate one per thread and reuse it.
 *
 * A result lists the first FIDX_SCAN_MAX_MATCHES matches with their offsets, and keeps every
 * distinct value found in the whole text, however many: a post's verdict must be judged on
 * all of them, or decoys placed before a scam number would hide it. */
#ifndef FIDX_SCAN_H
#define FIDX_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "fidx/kind.h"
#include "fidx/str.h"

#define FIDX_SCAN_MAX_TEXT (64 * 1024) /* longer text → FIDX_ETOOBIG */
#define FIDX_SCAN_MAX_MATCHES 256      /* matches listed; more → truncated (values has all) */
/* Every indicator spans at least 4 bytes of the cleaned text (the shortest is a domain such
 * as "a.vn") and indicators never overlap, so a text holds at most this many. */
#define FIDX_SCAN_MAX_FOUND (FIDX_SCAN_MAX_TEXT / 4)
/* Room for the distinct canonical values: a canonical form is at most about three times the
 * text it was read from (URL escaping) plus a few bytes ("http://", a bank's BIN). */
#define FIDX_SCAN_ARENA (4 * FIDX_SCAN_MAX_TEXT + 16 * FIDX_SCAN_MAX_FOUND)

/* A value found in the text: what a lookup needs. */
typedef struct {
    fidx_kind_t kind;
    fidx_str_t canonical; /* the normaliser's canonical form; borrowed from the result's arena,
                           * NUL-terminated, valid until the result is reused */
} fidx_scan_value_t;

typedef struct {
    fidx_kind_t kind;
    size_t start, end;    /* byte offsets [start, end) into the text exactly as it was given */
    fidx_str_t canonical; /* as in values[value] (the same bytes) */
    size_t value;         /* the index of its value in the result's values */
} fidx_scan_match_t;

/* The result of one scan. Matches are ordered by start and never overlap. The canonical
 * values point into arena, so a result must not be copied byte for byte elsewhere. */
typedef struct {
    size_t n;      /* matches listed in m */
    int truncated; /* 1 when more than FIDX_SCAN_MAX_MATCHES were found: the first ones in text
                    * order are listed, and values still holds every one's value */
    fidx_scan_match_t m[FIDX_SCAN_MAX_MATCHES];
    size_t found; /* indicators found in the whole text, listed or not */
    /* Every distinct (kind, canonical form) found in the whole text, once each, in no
     * particular order: judge a post on these, each looked up once. */
    size_t nvalues;
    fidx_scan_value_t values[FIDX_SCAN_MAX_FOUND];
    size_t arena_len;
    char arena[FIDX_SCAN_ARENA];
    /* Private workspace of fidx_scan: the text cleaned (NFC, invisible characters dropped,
     * full-width forms as ASCII, defanged brackets undone) and, for each of its bytes, the
     * offset in the original text of the character it came from; the cleaned-text span and
     * value of every indicator found; the values' hashes and the hash table over them. */
    struct {
        size_t len;
        char text[FIDX_SCAN_MAX_TEXT];
        uint32_t off[FIDX_SCAN_MAX_TEXT + 1];
        uint32_t cs[FIDX_SCAN_MAX_FOUND], ce[FIDX_SCAN_MAX_FOUND], val[FIDX_SCAN_MAX_FOUND];
        uint32_t hash[FIDX_SCAN_MAX_FOUND];
        uint16_t slot[2 * FIDX_SCAN_MAX_FOUND];
    } ws;
} fidx_scan_result_t;

typedef struct fidx_scanner fidx_scanner_t;

/* Makes a scanner: loads the Public Suffix List (libpsl's newest of its built-in list and
 * Debian's /usr/share/publicsuffix data) and the tables of words and bank names. Caller owns
 * *out; free with fidx_scanner_free. FIDX_ENOMEM or FIDX_EIO (no suffix list) on failure. */
FIDX_MUST_CHECK int fidx_scanner_new(fidx_scanner_t **out, fidx_err_t *err);
void fidx_scanner_free(fidx_scanner_t *sc);

/* Scans text[0..len) (UTF-8; invalid bytes are carried along as opaque bytes, never matched)
 * into *res, which is overwritten. Returns 0, FIDX_ETOOBIG (len > FIDX_SCAN_MAX_TEXT),
 * FIDX_EINVAL (a NULL argument) or FIDX_ELIMIT (the text held more indicators than the
 * result has room for: not expected within FIDX_SCAN_MAX_TEXT, and then the result must not
 * be used to judge the text). Finding nothing is not an error: res->n is then 0. */
FIDX_MUST_CHECK int fidx_scan(const fidx_scanner_t *sc, const char *text, size_t len,
                              fidx_scan_result_t *res, fidx_err_t *err);

#endif
