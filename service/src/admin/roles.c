/* Analysts' roles and their rights (roles.h). The table is the whole policy: a role not
 * listed for a right does not have it. */
#include "admin/roles.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned rights;
} roles[FIDX__ROLE_COUNT] = {
    [FIDX__ROLE_ADMIN] = {"admin", FIDX__RIGHT_STATUS | FIDX__RIGHT_LOOKUP | FIDX__RIGHT_REPORTS |
                                       FIDX__RIGHT_LOAD | FIDX__RIGHT_DELIST | FIDX__RIGHT_REVIEW |
                                       FIDX__RIGHT_COMPACT | FIDX__RIGHT_REPLICATE |
                                       FIDX__RIGHT_WARN},
    [FIDX__ROLE_ANALYST] = {"analyst", FIDX__RIGHT_STATUS | FIDX__RIGHT_LOOKUP |
                                           FIDX__RIGHT_REPORTS | FIDX__RIGHT_LOAD |
                                           FIDX__RIGHT_DELIST | FIDX__RIGHT_REVIEW |
                                           FIDX__RIGHT_WARN},
    /* A reviewer judges a dispute by the entry's history: looking a value up is part of
     * reviewing. */
    [FIDX__ROLE_REVIEWER] = {"reviewer",
                             FIDX__RIGHT_LOOKUP | FIDX__RIGHT_REPORTS | FIDX__RIGHT_REVIEW},
    [FIDX__ROLE_FEEDER] = {"feeder", FIDX__RIGHT_LOAD},
    [FIDX__ROLE_READER] = {"reader", FIDX__RIGHT_STATUS | FIDX__RIGHT_LOOKUP | FIDX__RIGHT_REPORTS},
    [FIDX__ROLE_REPLICA] = {"replica", FIDX__RIGHT_REPLICATE},
};

unsigned fidx__role_rights(fidx__role_t r)
{
    return (int)r >= 0 && r < FIDX__ROLE_COUNT ? roles[r].rights : 0;
}

const char *fidx__role_name(fidx__role_t r)
{
    return (int)r >= 0 && r < FIDX__ROLE_COUNT ? roles[r].name : "?";
}

int fidx__role_parse(const char *p, size_t len, fidx__role_t *out)
{
    for (int i = 0; i < FIDX__ROLE_COUNT; i++)
        if (strlen(roles[i].name) == len && memcmp(roles[i].name, p, len) == 0) {
            *out = (fidx__role_t)i;
            return 0;
        }
    return -1;
}
