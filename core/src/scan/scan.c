/* The scanner: finds the indicators in a post (scan.h). A scan cleans the text once
 * (scan_text.c), finds the links (scan_links.c), then the numbers outside them
 * (scan_digits.c, with scan_context.c judging the words around each number), and returns the
 * matches in text order with offsets into the original bytes (the passes record them through
 * scan_emit.c).
 *
 * The scanner object holds what is built once and only read afterwards: the Public Suffix
 * List, the folding tables and the word and bank-name tables. Everything a scan writes is in
 * the caller's result, so concurrent scans share one scanner without locks. */
#include "fidx/scan.h"

#include <stdlib.h>
#include <string.h>

#include "scan/scan_internal.h"

_Static_assert(FIDX_SCAN_MAX_TEXT < UINT32_MAX, "offsets are kept in uint32_t");

void fidx_scanner_free(fidx_scanner_t *sc)
{
    if (!sc)
        return;
    free(sc->phrases);
    free(sc->digits);
    free(sc->banks);
    psl_free(sc->psl_owned);
    free(sc);
}

int fidx_scanner_new(fidx_scanner_t **out, fidx_err_t *err)
{
    fidx_scanner_t *sc = calloc(1, sizeof *sc);
    if (!sc)
        return fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    /* The newer of libpsl's built-in list and the distribution's file (Debian's publicsuffix
     * package); the built-in one alone when the file cannot be read. */
    sc->psl_owned = psl_latest(NULL);
    sc->psl = sc->psl_owned ? sc->psl_owned : psl_builtin();
    if (!sc->psl) {
        fidx_scanner_free(sc);
        return fidx_err_set(err, FIDX_EIO, 0, "no Public Suffix List (libpsl) available");
    }
    fidx__scan_text_fold_init(sc);
    int rc = fidx__scan_context_init(sc);
    if (rc == 0)
        rc = fidx__scan_digits_init(sc);
    if (rc != 0) {
        fidx_scanner_free(sc);
        return fidx_err_set(
            err, rc, 0, rc == FIDX_ENOMEM ? "out of memory" : "scanner word table is malformed");
    }
    *out = sc;
    return 0;
}

int fidx_scan(const fidx_scanner_t *sc, const char *text, size_t len, fidx_scan_result_t *res,
              fidx_err_t *err)
{
    if (!sc || !res || (!text && len > 0))
        return fidx_err_set(err, FIDX_EINVAL, 0, "no scanner, text or result");
    if (len > FIDX_SCAN_MAX_TEXT)
        return fidx_err_set(err, FIDX_ETOOBIG, FIDX_SCAN_MAX_TEXT, "text longer than 64 KiB");
    fidx__scan_t x;
    x.sc = sc;
    x.src = text ? text : "";
    x.src_len = len;
    x.res = res;
    res->ws.len = fidx__scan_text_clean(x.src, len, res->ws.text, res->ws.off);
    x.t = res->ws.text;
    x.n = res->ws.len;
    x.off = res->ws.off;
    fidx__scan_emit_reset(&x);
    fidx__scan_links(&x);
    x.nlinks = res->found;
    fidx__scan_digits(&x);
    if (x.full) {
        res->n = res->found = res->nvalues = 0;
        return fidx_err_set(err, FIDX_ELIMIT, 0, "text holds more indicators than a scan keeps");
    }
    fidx__scan_emit_list(&x);
    return 0;
}
