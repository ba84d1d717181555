/* Analysts' roles: what a token may do (docs/OPERATIONS.md, "Roles"). A token's line in the
 * tokens file names its role (`NAME SECRET [ROLE]`, admin when absent, so files written before
 * roles existed keep working); each route of the analysts' API needs a set of rights (the
 * router's table), and a role is a set of rights. */
#ifndef FIDX_SERVICE_ROLES_H
#define FIDX_SERVICE_ROLES_H

#include <stddef.h>

typedef enum {
    FIDX__ROLE_ADMIN = 0, /* everything */
    FIDX__ROLE_ANALYST,   /* load, change, delist, review, read, warn */
    FIDX__ROLE_REVIEWER,  /* review reports and disputes (and read what that needs) */
    FIDX__ROLE_FEEDER,    /* load only (an import job) */
    FIDX__ROLE_READER,    /* read the analysts' routes, change nothing */
    FIDX__ROLE_REPLICA,   /* a reader following this writer: the replica routes only */
    FIDX__ROLE_COUNT
} fidx__role_t;

/* Rights, one bit each; a route needs all the bits of its table entry. */
enum {
    FIDX__RIGHT_STATUS = 1u << 0,    /* GET status, GET audit */
    FIDX__RIGHT_LOOKUP = 1u << 1,    /* GET indicators?q= (an entry, its history, its reports) */
    FIDX__RIGHT_REPORTS = 1u << 2,   /* GET reports, GET reports/ID */
    FIDX__RIGHT_LOAD = 1u << 3,      /* POST indicators (dry runs too) */
    FIDX__RIGHT_DELIST = 1u << 4,    /* DELETE indicators */
    FIDX__RIGHT_REVIEW = 1u << 5,    /* decide reports and disputes, one or in bulk */
    FIDX__RIGHT_COMPACT = 1u << 6,   /* POST compact */
    FIDX__RIGHT_REPLICATE = 1u << 7, /* GET /v1/replica/…: a writer's snapshot and changes */
    FIDX__RIGHT_WARN = 1u << 8,      /* write, publish and retract warnings to the public */
};

/* The rights of role r (0 for a role out of range). */
unsigned fidx__role_rights(fidx__role_t r);

/* "admin", "analyst", …; "?" out of range. */
const char *fidx__role_name(fidx__role_t r);

/* A role's name (exact, lower-case) → 0 and *out; -1 for anything else. */
int fidx__role_parse(const char *p, size_t len, fidx__role_t *out);

/* Whether role r may use a route that needs `need`. */
static inline int fidx__role_may(fidx__role_t r, unsigned need)
{
    return (fidx__role_rights(r) & need) == need;
}

#endif
