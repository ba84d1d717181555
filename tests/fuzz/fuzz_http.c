/* Fuzz target for the strict HTTP framing scanners the service runs before http-parser
 * (service/src/http/hcheck.c; libFuzzer; replayed by ctest, see docs/FUZZING.md).
 * Input: byte 0 picks the scanner (even: header section, odd: chunked body), bytes 1-2 a split
 * point, the rest is what a client sent. Properties: the scanners answer 0, FIDX_EINVAL with a
 * reason or FIDX_ETOOBIG; they never claim more bytes than given, and take all of a piece
 * while the section goes on; and the bytes arriving in two reads give exactly the verdict, the
 * section length and the phase that one read gives — a partial read never changes framing. */
#include "http/hcheck.h"

#include "fuzz_common.h"

typedef struct {
    int rc;
    size_t used;
    uint8_t phase;
} outcome_t;

static int ended(const fidx__hcheck_t *c, int chunked)
{
    return chunked ? c->phase == FIDX__HC_BODY : c->phase == FIDX__HC_HEAD_END;
}

static outcome_t run(const char *p, size_t len, size_t split, int chunked)
{
    fidx__hcheck_t c;
    outcome_t o = {0, 0, 0};
    fidx__hcheck_init(&c, 8192, 1u << 20);
    if (chunked)
        c.phase = FIDX__HC_CHUNKED;
    const char *piece[2] = {p, p + split};
    size_t piece_len[2] = {split, len - split};
    for (int i = 0; i < 2 && o.rc == 0 && !ended(&c, chunked); i++) {
        size_t used = 0;
        o.rc = chunked ? fidx__hcheck_chunked(&c, piece[i], piece_len[i], &used)
                       : fidx__hcheck_head(&c, piece[i], piece_len[i], &used);
        FUZZ_CHECK(o.rc == 0 || (o.rc == FIDX_EINVAL && c.reason) || o.rc == FIDX_ETOOBIG,
                   "a scanner broke its contract (code, or a refusal without a reason)");
        FUZZ_CHECK(used <= piece_len[i], "a scanner claimed more bytes than it was given");
        if (o.rc == 0)
            FUZZ_CHECK(ended(&c, chunked) || used == piece_len[i],
                       "a scanner left bytes of a section that goes on");
        o.used += used;
    }
    o.phase = c.phase;
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    int chunked = data[0] & 1;
    const char *p = (const char *)data + 3;
    size_t len = size - 3;
    size_t split = len ? ((size_t)data[1] << 8 | data[2]) % (len + 1) : 0;
    outcome_t whole = run(p, len, len, chunked);
    outcome_t two = run(p, len, split, chunked);
    FUZZ_CHECK(whole.rc == two.rc, "two reads gave another verdict than one");
    if (whole.rc == 0) {
        FUZZ_CHECK(whole.used == two.used, "two reads framed the section differently");
        FUZZ_CHECK(whole.phase == two.phase, "two reads ended in another phase");
    }
    return 0;
}
