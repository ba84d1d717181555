/* MISP feed reader: a MISP JSON event export ({"Event":{…}}, {"response":[{"Event":…}]}, or a
 * bare list of events) is checked whole without being built (feed_json_skim.c), the place of
 * each attribute noted, and each attribute parsed alone when it is read (memory: the input's
 * mapping and 24 bytes an attribute, not the whole tree); each of an indicator type is a row:
 *   phone-number → phone; bank-account-nr, iban → bank_account (the value as given: the
 *   normaliser decides); url, link, uri → url; domain, hostname → domain;
 *   email, email-src, email-dst → email.
 * Every other type (composite `domain|ip` included) is skipped silently, and so are attributes
 * marked "deleted" or with "to_ids": false (MISP's own way to say "context, not an
 * indicator": a victim's phone number, a legitimate site that was impersonated).
 * Attributes are read from the event's "Attribute" list and its "Object"s' lists, in the
 * order the document writes them. note: the attribute's comment, else the event's tags;
 * first_seen: the attribute's first_seen (date part), else the event's date; last_seen: the
 * attribute's last_seen. row->line is the line where the attribute's value is written, found
 * by searching the document forward (linear overall, see fidx__feed_json_locate); for a malformed
 * attribute (not an object, value not a string) it is the line of the last value found. */
#include <stdlib.h>
#include <string.h>

#include "feed/feed_internal.h"

typedef struct {
    const char *type, *kind;
} type_map_t;

static const type_map_t type_map[] = {
    {"phone-number", "phone"}, {"bank-account-nr", "bank_account"},
    {"iban", "bank_account"},  {"url", "url"},
    {"link", "url"},           {"uri", "url"},
    {"domain", "domain"},      {"hostname", "domain"},
    {"email", "email"},        {"email-src", "email"},
    {"email-dst", "email"},
};

/* Where an attribute is written, and the event it belongs to. */
typedef struct {
    size_t start, end;
    size_t event;
} span_t;

/* Where an event's date and tags are written (start == end: absent). */
typedef struct {
    size_t date_s, date_e, tag_s, tag_e;
} event_span_t;

typedef struct {
    struct fidx_feed base;
    span_t *attrs; /* every attribute, in document order */
    size_t n_attrs, cap_attrs, next;
    event_span_t *events;
    size_t n_events, cap_events;
    size_t cur_event;   /* SIZE_MAX: none entered yet */
    json_t *ev_date_js; /* the current event's date, parsed */
    json_t *attr;       /* the attribute of the last row, parsed (its strings are the row's) */
    fidx_str_t ev_date; /* the current event's date */
    fidx_str_t ev_note; /* the current event's tags, joined */
    char ev_note_buf[FIDX_MAX_NOTE_LEN];
    fidx__feed_json_locator_t loc;
    fidx__feed_skips_t skips;
} misp_feed_t;

static const char *kind_of_type(fidx_str_t type)
{
    for (size_t k = 0; k < sizeof type_map / sizeof type_map[0]; k++)
        if (fidx_str_eq(type, type_map[k].type))
            return type_map[k].kind;
    return NULL;
}

static int key_is(fidx_str_t key, const char *name)
{
    return fidx_str_eq(key, name);
}

static int push_attr(misp_feed_t *m, size_t s, size_t e)
{
    if (m->n_attrs == m->cap_attrs) {
        size_t cap = m->cap_attrs ? m->cap_attrs * 2 : 256;
        span_t *a = realloc(m->attrs, cap * sizeof *a);
        if (!a)
            return FIDX_ENOMEM;
        m->attrs = a;
        m->cap_attrs = cap;
    }
    m->attrs[m->n_attrs++] = (span_t){s, e, m->n_events - 1};
    return 0;
}

/* Every element of the array at p[i] as an attribute of the current event. */
static int push_list(misp_feed_t *m, size_t i)
{
    const char *p = m->base.p;
    size_t len = m->base.len, s, e;
    fidx_str_t key;
    if (!fidx__feed_json_open(p, len, &i, '['))
        return 0;
    while (fidx__feed_json_next(p, len, &i, 0, &key, &s, &e))
        if (push_attr(m, s, e) != 0)
            return FIDX_ENOMEM;
    return 0;
}

/* The "Attribute" lists of every object of the array at p[i]. */
static int push_objects(misp_feed_t *m, size_t i)
{
    const char *p = m->base.p;
    size_t len = m->base.len, s, e, ks, ke;
    fidx_str_t key;
    if (!fidx__feed_json_open(p, len, &i, '['))
        return 0;
    while (fidx__feed_json_next(p, len, &i, 0, &key, &s, &e)) {
        size_t j = s;
        if (!fidx__feed_json_open(p, len, &j, '{'))
            continue;
        while (fidx__feed_json_next(p, len, &j, 1, &key, &ks, &ke))
            if (key_is(key, "Attribute") && push_list(m, ks) != 0)
                return FIDX_ENOMEM;
    }
    return 0;
}

/* The event object at p[i]: its date, tags and attribute lists, in document order. */
static int walk_event(misp_feed_t *m, size_t i)
{
    const char *p = m->base.p;
    size_t len = m->base.len, s, e;
    fidx_str_t key;
    if (m->n_events == m->cap_events) {
        size_t cap = m->cap_events ? m->cap_events * 2 : 16;
        event_span_t *ev = realloc(m->events, cap * sizeof *ev);
        if (!ev)
            return FIDX_ENOMEM;
        m->events = ev;
        m->cap_events = cap;
    }
    event_span_t *ev = &m->events[m->n_events++];
    memset(ev, 0, sizeof *ev);
    fidx__feed_json_open(p, len, &i, '{');
    while (fidx__feed_json_next(p, len, &i, 1, &key, &s, &e)) {
        int rc = 0;
        ev = &m->events[m->n_events - 1];
        if (key_is(key, "date"))
            ev->date_s = s, ev->date_e = e;
        else if (key_is(key, "Tag"))
            ev->tag_s = s, ev->tag_e = e;
        else if (key_is(key, "Attribute"))
            rc = push_list(m, s);
        else if (key_is(key, "Object"))
            rc = push_objects(m, s);
        if (rc)
            return rc;
    }
    return 0;
}

/* An object at p[i] that is an event or wraps one in "Event": 1 and *at, else 0. */
static int as_event(const misp_feed_t *m, size_t i, size_t *at)
{
    const char *p = m->base.p;
    size_t len = m->base.len, s, e, j = i;
    fidx_str_t key;
    int attrs = 0;
    if (!fidx__feed_json_open(p, len, &j, '{'))
        return 0;
    while (fidx__feed_json_next(p, len, &j, 1, &key, &s, &e)) {
        if (key_is(key, "Event") && p[s] == '{') {
            *at = s;
            return 1;
        }
        attrs |= key_is(key, "Attribute") || key_is(key, "Object");
    }
    *at = i;
    return attrs;
}

/* Every event of the document starting at p[i]: one, a "response" list, or a bare list. */
static int collect_events(misp_feed_t *m, size_t i)
{
    const char *p = m->base.p;
    size_t len = m->base.len, s, e, at, list = SIZE_MAX, j = i;
    fidx_str_t key;
    if (as_event(m, i, &at))
        return walk_event(m, at);
    if (fidx__feed_json_open(p, len, &j, '{')) {
        while (fidx__feed_json_next(p, len, &j, 1, &key, &s, &e))
            if (key_is(key, "response"))
                list = s;
    } else {
        list = i;
    }
    j = list;
    if (list == SIZE_MAX || !fidx__feed_json_open(p, len, &j, '['))
        return FIDX_EINVAL;
    while (fidx__feed_json_next(p, len, &j, 0, &key, &s, &e)) {
        int rc = as_event(m, s, &at) ? walk_event(m, at) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

/* The event's tags joined with ", ", cut to FIDX_MAX_NOTE_LEN at a tag's end. */
static fidx_str_t event_tags(misp_feed_t *m, const json_t *tags)
{
    size_t n = 0, k;
    json_t *tag;
    json_array_foreach(tags, k, tag)
    {
        fidx_str_t name = fidx__feed_json_str(tag, "name");
        size_t sep = n ? 2 : 0;
        if (!name.p || name.len + sep > sizeof m->ev_note_buf - n)
            continue;
        memcpy(m->ev_note_buf + n, ", ", sep);
        memcpy(m->ev_note_buf + n + sep, name.p, name.len);
        n += sep + name.len;
    }
    return fidx_str(n ? m->ev_note_buf : NULL, n);
}

static json_t *parse_range(const misp_feed_t *m, size_t s, size_t e)
{
    json_error_t jerr;
    return s < e ? json_loadb(m->base.p + s, e - s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr)
                 : NULL;
}

/* Makes event ev current: its date and tags, parsed now (small). */
static void enter_event(misp_feed_t *m, size_t ev)
{
    const event_span_t *x = &m->events[ev];
    json_decref(m->ev_date_js);
    m->ev_date_js = parse_range(m, x->date_s, x->date_e);
    const char *d = json_string_value(m->ev_date_js);
    size_t dl = json_string_length(m->ev_date_js);
    m->ev_date = fidx_str(d && dl ? d : NULL, d && dl ? dl : 0);
    json_t *tags = parse_range(m, x->tag_s, x->tag_e);
    m->ev_note = event_tags(m, tags);
    json_decref(tags);
    m->cur_event = ev;
}

/* The next attribute, parsed, entering its event as needed: 0 (*out owned by m->attr),
 * FIDX_ENOTFOUND at the end, FIDX_EINVAL when it is not valid alone (a duplicate key). */
static int next_attribute(misp_feed_t *m, json_t **out)
{
    json_decref(m->attr);
    m->attr = NULL;
    if (m->next >= m->n_attrs)
        return FIDX_ENOTFOUND;
    const span_t *a = &m->attrs[m->next++];
    if (a->event != m->cur_event)
        enter_event(m, a->event);
    m->attr = parse_range(m, a->start, a->end);
    *out = m->attr;
    return m->attr ? 0 : FIDX_EINVAL;
}

/* First 10 bytes of an ISO date-time: its date. */
static fidx_str_t date_part(fidx_str_t s)
{
    if (s.p && s.len > 10)
        s.len = 10;
    return s;
}

static void fill_row(misp_feed_t *m, const json_t *a, const char *kind, fidx_row_t *row)
{
    json_t *v = json_object_get(a, "value");
    row->kind = fidx_str(kind, strlen(kind));
    row->value = fidx_str(json_string_value(v), json_string_length(v));
    row->line = fidx__feed_json_locate(&m->loc, row->value.p, row->value.len);
    fidx_str_t note = fidx__feed_row_utf8_cut(fidx__feed_json_str(a, "comment"), FIDX_MAX_NOTE_LEN);
    row->note = note.p ? note : m->ev_note;
    row->first_seen = date_part(fidx__feed_json_str(a, "first_seen"));
    if (!row->first_seen.p)
        row->first_seen = m->ev_date;
    row->last_seen = date_part(fidx__feed_json_str(a, "last_seen"));
}

static int misp_next(fidx_feed_t *f, fidx_row_t *row, fidx_err_t *err)
{
    misp_feed_t *m = (misp_feed_t *)f;
    for (;;) {
        json_t *a = NULL;
        int rc = next_attribute(m, &a);
        if (rc == FIDX_ENOTFOUND)
            return rc;
        row->line = m->loc.line;
        m->skips.n_records++;
        if (rc != 0)
            return fidx_err_set(err, FIDX_EINVAL, 0, "MISP attribute has a duplicate key");
        if (!json_is_object(a))
            return fidx_err_set(err, FIDX_EINVAL, 0, "MISP attribute is not an object");
        fidx_str_t type = fidx__feed_json_str(a, "type");
        const char *kind = kind_of_type(type);
        if (!kind) {
            fidx__feed_skips_type(&m->skips, type);
            continue;
        }
        if (json_is_true(json_object_get(a, "deleted")) ||
            json_is_false(json_object_get(a, "to_ids"))) {
            m->skips.n_context++;
            continue;
        }
        if (!json_is_string(json_object_get(a, "value")))
            return fidx_err_set(err, FIDX_EINVAL, 0, "MISP attribute value is not a string");
        fill_row(m, a, kind, row);
        return 0;
    }
}

static void misp_free(fidx_feed_t *f)
{
    misp_feed_t *m = (misp_feed_t *)f;
    json_decref(m->attr);
    json_decref(m->ev_date_js);
    free(m->attrs);
    free(m->events);
    free(m);
}

static const fidx__feed_ops_t misp_ops = {misp_next, misp_free};

int fidx__feed_misp_new(const char *p, size_t len, fidx_feed_t **out, fidx_err_t *err)
{
    misp_feed_t *m = calloc(1, sizeof *m);
    if (!m)
        return fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    m->base = (struct fidx_feed){&misp_ops, p, len, 0, 1, &m->skips};
    m->skips.records = "attributes";
    m->skips.types_said = "of a type we do not map";
    m->skips.context_said = "deleted or marked to_ids false (context, not indicators)";
    m->cur_event = SIZE_MAX;
    size_t b = fidx__feed_skip_bom(p, len), end;
    int rc = 0;
    if (len > FIDX_MAX_JSON_DOC)
        rc = fidx_err_set(err, FIDX_ETOOBIG, 0, "JSON document is too large");
    else if ((rc = fidx__feed_json_skim(p, len, b, &end, err)) == 0 &&
             fidx__feed_json_ws(p, len, end) < len)
        rc = fidx_err_set(err, FIDX_EINVAL, end, "document is not valid JSON");
    if (rc != 0)
        goto fail;
    rc = collect_events(m, b);
    if (rc != 0) {
        fidx_err_set(err, rc, 0,
                     rc == FIDX_EINVAL ? "JSON document is not a MISP event export"
                                       : "out of memory");
        goto fail;
    }
    fidx__feed_json_locator_init(&m->loc, p, len);
    *out = &m->base;
    return 0;
fail:
    misp_free(&m->base);
    return rc;
}
