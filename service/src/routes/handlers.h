/* The route handlers, one file per group of routes (routes/<group>.c); the table that calls
 * them is router.c. A handler answers in resp, or defers its answer (http/request.h). */
#ifndef FIDX_SERVICE_ROUTES_HANDLERS_H
#define FIDX_SERVICE_ROUTES_HANDLERS_H

#include "http/request.h"

/* check.c, batch.c, scan.c */
void fidx__route_check(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_batch(const fidx__req_t *req, fidx__resp_t *resp);
/* The same answer, always through jansson (the batch route's path for other shapes; fuzz_body
 * compares the two). */
void fidx__route_batch_jansson(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_scan(const fidx__req_t *req, fidx__resp_t *resp);
/* image.c: POST /v1/image (its body limit is FIDX__IMAGE_MAX_BYTES, set by the router) */
void fidx__route_image(const fidx__req_t *req, fidx__resp_t *resp);
/* POST /v1/scan read by jansson alone (fuzz_body compares it with the in-place reader). */
void fidx__route_scan_jansson(const fidx__req_t *req, fidx__resp_t *resp);

/* ops.c */
void fidx__route_healthz(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_info(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_metrics(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_openapi(const fidx__req_t *req, fidx__resp_t *resp);

/* The citizens' web page (page.c, page_followup.c) and reports (reports.c). */
void fidx__route_page_home(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_page_check(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_page_report(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_page_report_post(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_static(const fidx__req_t *req, fidx__resp_t *resp);
/* page_followup.c: a report's status page (GET /report/ID) and the dispute form. */
void fidx__route_page_report_status(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_page_dispute(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_page_dispute_post(const fidx__req_t *req, fidx__resp_t *resp);
/* page_image.c: the image form (POST /image); its body may hold this much besides the
 * picture (the form's other fields and the parts' headers). */
#define FIDX__PAGE_IMAGE_FORM_EXTRA (16 * 1024)
void fidx__route_page_image(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_reports(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_report_status(const fidx__req_t *req, fidx__resp_t *resp); /* GET …/ID */

/* The analysts' API; the router has checked the token and its role (req->principal). admin.c: */
void fidx__route_admin_add(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_admin_delist(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_admin_search(const fidx__req_t *req, fidx__resp_t *resp); /* GET …/indicators */
void fidx__route_admin_audit(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_admin_compact(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_admin_status(const fidx__req_t *req, fidx__resp_t *resp);
/* admin_stats.c: the dashboard's figures (GET …/stats) */
void fidx__route_admin_stats(const fidx__req_t *req, fidx__resp_t *resp);
/* admin_reports.c: the review queue */
void fidx__route_admin_reports(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_admin_decide_many(const fidx__req_t *req, fidx__resp_t *resp); /* POST …/reports */
void fidx__route_admin_report(const fidx__req_t *req, fidx__resp_t *resp); /* GET …/reports/ID */
void fidx__route_admin_decide(const fidx__req_t *req, fidx__resp_t *resp); /* POST …/reports/ID */

/* admin_warnings.c: warnings to the public, as analysts write them */
void fidx__route_admin_warnings(const fidx__req_t *req, fidx__resp_t *resp);       /* GET list */
void fidx__route_admin_warning_new(const fidx__req_t *req, fidx__resp_t *resp);    /* POST */
void fidx__route_admin_warning(const fidx__req_t *req, fidx__resp_t *resp);        /* GET …/ID */
void fidx__route_admin_warning_change(const fidx__req_t *req, fidx__resp_t *resp); /* POST …/ID… */

/* page.c: the page of warning id (what follows /warnings/), for warnings.c */
void fidx__route_page_warning(const fidx__req_t *req, fidx__resp_t *resp, fidx_str_t id);

/* warnings.c: the published warnings for everyone (JSON, Atom), and their pages */
void fidx__route_warnings(const fidx__req_t *req, fidx__resp_t *resp);      /* GET /v1/warnings */
void fidx__route_warning_json(const fidx__req_t *req, fidx__resp_t *resp);  /* …/v1/warnings/ID */
void fidx__route_warnings_atom(const fidx__req_t *req, fidx__resp_t *resp); /* /warnings.atom */
/* /warnings/REGION.atom, or the page of a warning /warnings/ID */
void fidx__route_warnings_sub(const fidx__req_t *req, fidx__resp_t *resp);

/* The analysts' console (console.c): its page and files, and its session. */
void fidx__route_console_page(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_console_static(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_console_whoami(const fidx__req_t *req, fidx__resp_t *resp);  /* GET */
void fidx__route_console_signin(const fidx__req_t *req, fidx__resp_t *resp);  /* POST */
void fidx__route_console_signout(const fidx__req_t *req, fidx__resp_t *resp); /* DELETE */

/* Replication (replica.c): the writer's feed for its readers (the router has checked the
 * token), and the public list of changed verdicts. */
void fidx__route_replica_snapshot(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_replica_changes(const fidx__req_t *req, fidx__resp_t *resp);
void fidx__route_changes(const fidx__req_t *req, fidx__resp_t *resp);
/* The worker's wake-up for parked polls (the server sets it as w->feed_wake), and its end. */
void fidx__route_replica_wake(fidx__worker_t *w);
void fidx__route_replica_finish(fidx__worker_t *w);

#endif
