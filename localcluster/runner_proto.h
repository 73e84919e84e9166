/* runner_proto.h — the messages between the runner (in the API server)
 * and its helper process: length-prefixed JSON frames on a stream socket.
 *
 *   server → helper  {"op":"start","id":N, ...spec...}
 *                    {"op":"stop","id":N,"graceMs":G}
 *                    {"op":"shutdown","graceMs":G}
 *   helper → server  {"ev":"started","id":N,"pid":P,"sec":S,"nsec":NS}
 *                    {"ev":"exited","id":N,"outcome":"exited|startFailed",
 *                     "exitCode":C,"signal":S,"startedSec":..,"startedNsec":..,
 *                     "finishedSec":..,"finishedNsec":..,"message":"..."}
 *
 * Internal to runner.c and runner_helper.c. */
#ifndef KONDUKTOR_RUNNER_PROTO_H
#define KONDUKTOR_RUNNER_PROTO_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

/* A frame is a 4-byte little-endian length and that many bytes of JSON. */
#define RUNNER_FRAME_MAX ((size_t)8 * 1024 * 1024)

/* Appends `msg` as one frame to out; -1 if it is over RUNNER_FRAME_MAX or
 * does not fit out's limit. */
int runner_frame_append(struct buf *out, const cJSON *msg);
/* If `in` starts with a whole frame, parses it into *ret (caller frees),
 * removes it from `in` and returns 1; returns 0 when more bytes are
 * needed, -1 (with err) for a malformed or oversized frame. */
int runner_frame_take(struct buf *in, cJSON **ret, struct error *err);

/* The helper's main loop: serves the socket `sock` until told to shut
 * down or the server goes away; returns the process exit status. */
int runner_helper_main(int sock, const char *run_dir);

#endif
