/* admin.h — the admin channel under /debug/konduktor/: fault switches,
 * request counters and store statistics for tests and benchmarks. These
 * paths need the same authentication as the API when it is enabled, and
 * are never faulted, paused or counted.
 *
 *   GET    faults           current rules, counts and pause state
 *   PUT    faults           replace the error rules (see faults.h)
 *   DELETE faults           clear the rules and unpause
 *   POST   pause | unpause  stop / resume answering API requests
 *   POST   drop-watches     end every open watch stream abruptly
 *   POST   expire-history   forget the watch history (next resume: 410)
 *   GET    counters         requests per verb/resource/user agent
 *   DELETE counters         reset them
 *   GET    stats            objects per kind, open watches, history */
#ifndef KONDUKTOR_LC_ADMIN_H
#define KONDUKTOR_LC_ADMIN_H

#include "http.h"

enum MHD_Result admin_handle(struct http_request *req, const char *subpath);

#endif
