/* The citizens' pages of warnings (issue 19): a warning's own page, shareable, at
 * /warnings/ID. */
#ifndef FIDX_SERVICE_ROUTES_PAGE_WARNINGS_H
#define FIDX_SERVICE_ROUTES_PAGE_WARNINGS_H

#include "fidx/str.h"
#include "http/request.h"

/* GET /warnings/ID (id: what follows /warnings/). */
void fidx__page_warning(const fidx__req_t *req, fidx__resp_t *resp, fidx_str_t id);

#endif
