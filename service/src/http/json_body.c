/* Reading a JSON request body, shared by every route that takes one: the Content-Type checked,
 * the body parsed with jansson (duplicate keys refused, depth bounded by jansson), and a bad
 * one answered with the contract's error. */
#include "http/json_body.h"

#include <string.h>
#include <strings.h>

/* Whether p[from..len) has no charset parameter, or one whose value (up to ';', a space or the
 * end of the field) is utf-8, bare or quoted. */
static int charset_utf8(const char *p, size_t len, size_t from)
{
    for (size_t i = from; i + 8 <= len; i++) {
        if (strncasecmp(p + i, "charset=", 8) != 0)
            continue;
        const char *v = p + i + 8;
        size_t n = 0;
        while (i + 8 + n < len && v[n] != ';' && v[n] != ' ' && v[n] != '\t')
            n++;
        return (n == 5 && strncasecmp(v, "utf-8", 5) == 0) ||
               (n == 7 && strncasecmp(v, "\"utf-8\"", 7) == 0);
    }
    return 1;
}

/* application/json (any parameters, charset utf-8 if given), anything ending in +json,
 * no Content-Type at all, and application/x-www-form-urlencoded because that is what
 * `curl -d` sends by default. */
int fidx__json_content_type(const fidx__req_t *req)
{
    const char *p = req->content_type.p;
    size_t len = req->content_type.len, mt = 0;
    if (!p)
        return 1;
    if (req->content_type_overflow)
        return 0;
    while (mt < len && p[mt] != ';' && p[mt] != ' ' && p[mt] != '\t')
        mt++;
    if ((mt == 16 && strncasecmp(p, "application/json", 16) == 0) ||
        (mt == 33 && strncasecmp(p, "application/x-www-form-urlencoded", 33) == 0) ||
        (mt > 5 && strncasecmp(p + mt - 5, "+json", 5) == 0))
        return charset_utf8(p, len, mt);
    return 0;
}

json_t *fidx__json_body(const fidx__req_t *req, fidx__resp_t *resp, size_t flags, int check_type)
{
    json_error_t e;
    if (check_type && !fidx__json_content_type(req)) {
        fidx__resp_error(resp, 400, "bad_request", "Content-Type must be application/json");
        return NULL;
    }
    json_t *root =
        json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES | flags, &e);
    if (!root)
        fidx__resp_errorf(resp, 400, "invalid_json", "invalid JSON at line %d column %d: %s",
                          e.line, e.column, e.text);
    return root;
}
