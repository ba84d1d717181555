/* Error messages for the FIDX_E* codes, generated from the one list in error.h. */
#include "fidx/error.h"

const char *fidx_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
#define FIDX_ERR_CASE(name, val, msg)                                                              \
    case FIDX_E##name:                                                                             \
        return msg;
        FIDX_ERRNO_MAP(FIDX_ERR_CASE)
#undef FIDX_ERR_CASE
    }
    return "unknown error";
}

int fidx_err_set(fidx_err_t *err, int code, size_t offset, const char *reason)
{
    if (err) {
        err->code = code;
        err->offset = offset;
        err->reason = reason;
    }
    return code;
}
