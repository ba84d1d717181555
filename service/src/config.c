/* The service's configuration at its defaults (service.h names each limit; docs/SERVICE.md
 * lists them with their flags). main.c then applies the command line. */
#include <string.h>

#include "fidx/indicator.h"
#include "reports/ratelimit.h"
#include "reports/reports.h"
#include "service.h"

void fidx__config_defaults(fidx__config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen = "127.0.0.1:8080";
    cfg->load_mode = FIDX_OPEN_POPULATE;
    cfg->threads = uv_available_parallelism();
    cfg->max_header_bytes = FIDX__DEFAULT_MAX_HEADER_BYTES;
    cfg->max_body_bytes = FIDX__DEFAULT_MAX_BODY_BYTES;
    cfg->max_batch = FIDX__DEFAULT_MAX_BATCH;
    cfg->max_connections = FIDX__DEFAULT_MAX_CONNECTIONS;
    cfg->max_pipeline = FIDX__DEFAULT_MAX_PIPELINE;
    cfg->header_timeout_ms = FIDX__DEFAULT_HEADER_TIMEOUT_MS;
    cfg->body_timeout_ms = FIDX__DEFAULT_BODY_TIMEOUT_MS;
    cfg->idle_timeout_ms = FIDX__DEFAULT_IDLE_TIMEOUT_MS;
    cfg->drain_timeout_ms = FIDX__DEFAULT_DRAIN_TIMEOUT_MS;
    cfg->watch_interval_ms = FIDX__DEFAULT_WATCH_INTERVAL_MS;
    cfg->data_dir = "./fraudidx-data";
    cfg->report_rate = FIDX__DEFAULT_REPORT_RATE;
    cfg->report_period_s = FIDX__DEFAULT_REPORT_PERIOD_S;
    cfg->report_burst = FIDX__DEFAULT_REPORT_BURST;
    cfg->max_pending_reports = FIDX__DEFAULT_MAX_PENDING_REPORTS;
    cfg->max_pending_per_network = FIDX__DEFAULT_MAX_PENDING_PER_NETWORK;
    cfg->report_global_rate = FIDX__DEFAULT_REPORT_GLOBAL_RATE;
    cfg->report_global_period_s = FIDX__DEFAULT_REPORT_GLOBAL_PERIOD_S;
    cfg->report_global_burst = FIDX__DEFAULT_REPORT_GLOBAL_BURST;
    cfg->max_admin_body_bytes = FIDX__DEFAULT_MAX_ADMIN_BODY_BYTES;
    cfg->keep_log_ms = FIDX__DEFAULT_KEEP_LOG_MS;
    cfg->sync_timeout_ms = FIDX__DEFAULT_SYNC_TIMEOUT_MS;
    cfg->image_threads = FIDX__DEFAULT_IMAGE_THREADS;
    cfg->image_queue = FIDX__DEFAULT_IMAGE_QUEUE;
    cfg->image_timeout_ms = FIDX__DEFAULT_IMAGE_TIMEOUT_MS;
    cfg->image_nice = FIDX__DEFAULT_IMAGE_NICE;
    cfg->max_lag_ms = FIDX__DEFAULT_MAX_LAG_MS;
    cfg->lookup_rate = FIDX__DEFAULT_LOOKUP_RATE;
    cfg->lookup_period_s = FIDX__DEFAULT_LOOKUP_PERIOD_S;
    cfg->lookup_burst = FIDX__DEFAULT_LOOKUP_BURST;
    cfg->lookup_limits = 1;
    cfg->session_idle_ms = FIDX__DEFAULT_SESSION_IDLE_MS;
    cfg->session_max_ms = FIDX__DEFAULT_SESSION_MAX_MS;
    cfg->signin_rate = FIDX__DEFAULT_SIGNIN_RATE;
    cfg->signin_period_s = FIDX__DEFAULT_SIGNIN_PERIOD_S;
}

#define OPERATOR_NAME_MAX 200
#define OPERATOR_URL_MAX 512

int fidx__config_operator_name(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= OPERATOR_NAME_MAX && fidx_label_check(s, n, NULL) == 0 ? 0 : -1;
}

/* Shown as a link on the page: a scheme that opens a page, a mail or a call, never one that
 * runs anything (javascript:, data:). */
int fidx__config_operator_url(const char *s)
{
    static const char *const schemes[] = {"https://", "http://", "mailto:", "tel:"};
    size_t n = strlen(s), k = 0;
    while (k < 4 && strncmp(s, schemes[k], strlen(schemes[k])) != 0)
        k++;
    if (k == 4 || n <= strlen(schemes[k]) || n > OPERATOR_URL_MAX)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f || s[i] == '"' || s[i] == '<' ||
            s[i] == '>')
            return -1;
    return 0;
}
