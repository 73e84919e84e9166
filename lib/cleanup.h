/* cleanup.h — scope-bound cleanup helpers (systemd's _cleanup_ idiom), so
 * early returns cannot leak. Each destructor accepts NULL / -1. */
#ifndef KONDUKTOR_CLEANUP_H
#define KONDUKTOR_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(fn) __attribute__((cleanup(fn)))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_close_ _cleanup_(closep)

/* TAKE_PTR(p): return p and set it to NULL, handing ownership to the caller. */
#define TAKE_PTR(p)                          \
	({                                   \
		__typeof__(p) take_ptr_ = (p); \
		(p) = NULL;                  \
		take_ptr_;                   \
	})

/* TAKE_FD(fd): return fd and set it to -1. */
#define TAKE_FD(fd)                 \
	({                          \
		int take_fd_ = (fd); \
		(fd) = -1;          \
		take_fd_;           \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
