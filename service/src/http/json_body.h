/* Reading a JSON request body (json_body.c). */
#ifndef FIDX_SERVICE_JSON_BODY_H
#define FIDX_SERVICE_JSON_BODY_H

#include <jansson.h>

#include "routes/router.h"

/* Whether a JSON body's Content-Type is acceptable: application/json or +json (charset utf-8
 * if any), none at all, or the form type `curl -d` sends by default. */
int fidx__json_content_type(const fidx__req_t *req);

/* The parsed body (caller owns: json_decref), or NULL with the answer set: 400 bad_request for
 * another Content-Type (when check_type), 400 invalid_json with line and column. flags are
 * jansson's decoding flags added to JSON_REJECT_DUPLICATES. */
json_t *fidx__json_body(const fidx__req_t *req, fidx__resp_t *resp, size_t flags, int check_type);

#endif
