/* Social accounts: "PLATFORM:HANDLE", lower-case: "facebook:nguyen.van.a",
 * "facebook:id:100012345678901", "telegram:scam_bot", "tiktok:handle", "zalo:+84912345678". */
#ifndef FIDX_SOCIAL_H
#define FIDX_SOCIAL_H

#include <stddef.h>

#include "fidx/error.h"

/* Normalises a profile link ("https://www.facebook.com/nguyen.van.a",
 * "m.facebook.com/profile.php?id=100012345678901", "fb.com/x", "t.me/scam_bot",
 * "tiktok.com/@handle", "zalo.me/0912345678"), an already canonical "platform:handle", or a
 * bare handle ("@scam_bot", "scam_bot") when platform ("facebook", "telegram", "tiktok",
 * "zalo"; may be NULL) is given. Zalo handles are phone numbers (canonical E.164).
 * Returns 0, FIDX_EINVAL (err->reason), FIDX_ETOOBIG, FIDX_ENOSPC. */
FIDX_MUST_CHECK int fidx_social_normalize(const char *p, size_t len, const char *platform,
                                          char *out, size_t cap, size_t *out_len, fidx_err_t *err);

/* Whether a canonical URL (fidx_url_canonicalize output) is a profile link; if so writes the
 * canonical social account to out and returns 0, else FIDX_ENOTFOUND. Links that are not a
 * profile (facebook.com/, facebook.com/groups/…/posts, t.me/ alone, zalo.me/g/…) are not. */
FIDX_MUST_CHECK int fidx_social_from_url(const char *canon_url, size_t len, char *out, size_t cap,
                                         size_t *out_len);

#endif
