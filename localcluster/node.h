/* node.h — the cluster's one Node object: created at start (or refreshed
 * after a restart with a state dir) with the host's capacity, labels and
 * a Ready condition. The runtime (scheduler, kubelet) may adjust its
 * capacity and conditions through the store like any other writer. */
#ifndef KONDUKTOR_LC_NODE_H
#define KONDUKTOR_LC_NODE_H

#include "cluster.h"
#include "error.h"

int node_ensure(struct cluster *cluster, struct error *err);

#endif
