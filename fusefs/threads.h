/* threads.h — starting the daemon's own threads so that the termination
 * signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT) reach only the main thread,
 * where libfuse's handlers end the session loop (libfuse starts its
 * workers the same way). */
#ifndef KONDUKTOR_FUSEFS_THREADS_H
#define KONDUKTOR_FUSEFS_THREADS_H

#include <pthread.h>

/* pthread_create() with those signals blocked in the new thread; 0 or an
 * errno value. */
int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);
/* Blocks (block=1) or restores (block=0) them in the calling thread, for
 * threads that libraries start on our behalf (the informers). */
void threads_block_signals(int block);

#endif
