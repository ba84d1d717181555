/* The citizens' pages of warnings (page_warnings.h). */
#include "routes/page_warnings.h"

void fidx__page_warning(const fidx__req_t *req, fidx__resp_t *resp, fidx_str_t id)
{
    (void)req;
    (void)id;
    fidx__resp_error(resp, 404, "not_found", "no such warning");
}
