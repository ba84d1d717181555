/* Names of kinds, statuses, categories and verdicts, and their parsers (from text, and a
 * JSON array of category names from jansson's tree). */
#include "fidx/kind.h"

#include <jansson.h>
#include <string.h>

static const char *const kind_names[FIDX_KIND_COUNT] = {
    "phone", "bank_account", "url", "domain", "social_account", "email",
};
static const char *const status_names[FIDX_STATUS_COUNT] = {"reported", "confirmed", "allowlisted"};
static const char *const category_names[FIDX_CAT_COUNT] = {
#define FIDX_CAT_NAME(e, name) name,
    FIDX_CATEGORY_MAP(FIDX_CAT_NAME)
#undef FIDX_CAT_NAME
};
static const char *const verdict_names[] = {"unknown", "suspicious", "scam", "safe"};

const char *fidx_kind_name(fidx_kind_t kind)
{
    return (kind >= 0 && kind < FIDX_KIND_COUNT) ? kind_names[kind] : "none";
}

const char *fidx_status_name(fidx_status_t status)
{
    return (status < FIDX_STATUS_COUNT) ? status_names[status] : "unknown";
}

const char *fidx_category_name(int category)
{
    return (category >= 0 && category < FIDX_CAT_COUNT) ? category_names[category] : "unknown";
}

const char *fidx_verdict_name(fidx_verdict_t verdict)
{
    return (verdict <= FIDX_VERDICT_SAFE) ? verdict_names[verdict] : "unknown";
}

/* Index of p[0..len) in names[0..n), or -1. */
static int find_name(const char *const *names, int n, const char *p, size_t len)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], p, len) == 0)
            return i;
    return -1;
}

int fidx_kind_parse(const char *p, size_t len, fidx_kind_t *out)
{
    int i = find_name(kind_names, FIDX_KIND_COUNT, p, len);
    if (i < 0)
        return FIDX_EKIND;
    *out = (fidx_kind_t)i;
    return 0;
}

int fidx_status_parse(const char *p, size_t len, fidx_status_t *out)
{
    int i = find_name(status_names, FIDX_STATUS_COUNT, p, len);
    if (i < 0)
        return FIDX_EINVAL;
    *out = (fidx_status_t)i;
    return 0;
}

int fidx_category_parse(const char *p, size_t len, int *out)
{
    int i = find_name(category_names, FIDX_CAT_COUNT, p, len);
    if (i < 0)
        return FIDX_EINVAL;
    *out = i;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

int fidx_categories_parse(const char *p, size_t len, uint16_t *mask, fidx_err_t *err)
{
    uint16_t m = 0;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && p[i] != ';')
            i++;
        size_t a = start, b = i;
        while (a < b && is_space(p[a]))
            a++;
        while (b > a && is_space(p[b - 1]))
            b--;
        if (b > a) {
            int c;
            if (fidx_category_parse(p + a, b - a, &c) != 0)
                return fidx_err_set(err, FIDX_EINVAL, a, "unknown category");
            m = (uint16_t)(m | (1u << c));
        }
        i++; /* skip ';' */
    }
    *mask = m;
    return 0;
}

int fidx_categories_from_json(const json_t *arr, unsigned flags, uint16_t *mask, fidx_err_t *err)
{
    int strict = !(flags & FIDX_CATEGORIES_SKIP_UNKNOWN);
    uint16_t m = 0;
    size_t i;
    json_t *v;
    if (arr && !json_is_array(arr) && strict)
        return fidx_err_set(err, FIDX_EINVAL, 0, "categories must be an array of names");
    json_array_foreach(arr, i, v)
    {
        int c;
        if (json_is_string(v) &&
            fidx_category_parse(json_string_value(v), json_string_length(v), &c) == 0)
            m = (uint16_t)(m | (1u << c));
        else if (strict)
            return fidx_err_set(err, FIDX_EINVAL, i, "unknown category");
    }
    *mask = m;
    return 0;
}
