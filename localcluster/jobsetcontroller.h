/* jobsetcontroller.h — the JobSet controller of the local cluster:
 * follows JobSets, their Jobs and Services in the store and applies
 * jobsetsync.h's decisions (child Jobs created, suspended, resumed and
 * deleted with Foreground propagation, the headless Service, status and
 * events; the JobSet itself deleted after its TTL). */
#ifndef KONDUKTOR_LC_JOBSETCONTROLLER_H
#define KONDUKTOR_LC_JOBSETCONTROLLER_H

#include "error.h"

struct store;
struct jobsetcontroller;

struct jobsetcontroller *jobsetcontroller_start(struct store *store, struct error *err);
void jobsetcontroller_stop(struct jobsetcontroller *jc);

#endif
