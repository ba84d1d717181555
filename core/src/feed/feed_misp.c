/* MISP feed reader: a MISP JSON event export ({"Event":{…}}, {"response":[{"Event":…}]}, or a
 * bare list of events) is parsed whole, then each attribute of an indicator type becomes a row:
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

typedef struct {
    struct fidx_feed base;
    json_t *root;
    json_t *events;     /* every event object, in document order */
    size_t ev;          /* next event to enter */
    json_t *groups;     /* the current event's attribute lists, in document order */
    size_t group, attr; /* next attribute: groups[group][attr] */
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

/* An array element or a response item: the event itself, or the one it wraps in "Event". */
static json_t *as_event(json_t *item)
{
    json_t *ev = json_object_get(item, "Event");
    if (json_is_object(ev))
        return ev;
    if (json_object_get(item, "Attribute") || json_object_get(item, "Object"))
        return item;
    return NULL;
}

static int collect_events(misp_feed_t *m, json_t *root)
{
    json_t *list = root, *one = json_is_object(root) ? as_event(root) : NULL;
    if (one)
        return json_array_append(m->events, one) == 0 ? 0 : FIDX_ENOMEM;
    if (json_is_object(root))
        list = json_object_get(root, "response");
    if (!json_is_array(list))
        return FIDX_EINVAL;
    size_t k;
    json_t *item;
    json_array_foreach(list, k, item)
    {
        json_t *ev = as_event(item);
        if (ev && json_array_append(m->events, ev) != 0)
            return FIDX_ENOMEM;
    }
    return 0;
}

/* The event's tags joined with ", ", cut to FIDX_MAX_NOTE_LEN at a tag's end. */
static fidx_str_t event_tags(misp_feed_t *m, const json_t *ev)
{
    size_t n = 0, k;
    json_t *tag;
    json_array_foreach(json_object_get(ev, "Tag"), k, tag)
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

static int push_group(json_t *groups, json_t *list)
{
    return (json_is_array(list) && json_array_append(groups, list) != 0) ? FIDX_ENOMEM : 0;
}

static int push_objects(json_t *groups, json_t *objects)
{
    size_t k;
    json_t *obj;
    json_array_foreach(objects, k, obj)
    {
        if (push_group(groups, json_object_get(obj, "Attribute")) != 0)
            return FIDX_ENOMEM;
    }
    return 0;
}

/* Makes ev current: its attribute lists in the order the document has them (jansson keeps
 * members in insertion order), so that locating values only ever searches forward. */
static int enter_event(misp_feed_t *m, json_t *ev)
{
    json_t *groups = json_array(), *val;
    const char *key;
    if (!groups)
        return FIDX_ENOMEM;
    json_object_foreach(ev, key, val)
    {
        int rc = 0;
        if (strcmp(key, "Attribute") == 0)
            rc = push_group(groups, val);
        else if (strcmp(key, "Object") == 0)
            rc = push_objects(groups, val);
        if (rc != 0) {
            json_decref(groups);
            return rc;
        }
    }
    json_decref(m->groups);
    m->groups = groups;
    m->group = m->attr = 0;
    m->ev_date = fidx__feed_json_str(ev, "date");
    m->ev_note = event_tags(m, ev);
    return 0;
}

/* The next attribute, entering events as needed; NULL at the end. */
static int next_attribute(misp_feed_t *m, json_t **out)
{
    for (;;) {
        json_t *list = m->groups ? json_array_get(m->groups, m->group) : NULL;
        if (list && m->attr < json_array_size(list)) {
            *out = json_array_get(list, m->attr++);
            return 0;
        }
        if (list) {
            m->group++;
            m->attr = 0;
            continue;
        }
        if (m->ev >= json_array_size(m->events))
            return FIDX_ENOTFOUND;
        int rc = enter_event(m, json_array_get(m->events, m->ev++));
        if (rc != 0)
            return rc;
    }
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
        json_t *a;
        int rc = next_attribute(m, &a);
        if (rc == FIDX_ENOMEM)
            return fidx_err_set(err, rc, 0, "out of memory");
        if (rc != 0)
            return rc;
        row->line = m->loc.line;
        m->skips.n_records++;
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
    json_decref(m->groups);
    json_decref(m->events);
    json_decref(m->root);
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
    int rc = fidx__feed_json_load(p, len, &m->root, err);
    if (rc != 0)
        goto fail;
    m->events = json_array();
    rc = m->events ? collect_events(m, m->root) : FIDX_ENOMEM;
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
