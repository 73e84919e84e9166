/* log.h — diagnostic output to stderr, gated by a verbosity level like
 * kubectl's -v=N. Never pass secrets here: callers redact first. */
#ifndef KONDUKTOR_LOG_H
#define KONDUKTOR_LOG_H

/* Levels follow kubectl: 0 quiet, 4 debug, 6 requests, 8 request bodies. */
void log_set_level(int level);
int log_get_level(void);
/* Sets the program name prefixed to every line ("kubectl-konduktor"). */
void log_set_program(const char *name);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Always printed: "warning: ..." */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_debug(...) log_msg(4, __VA_ARGS__)

#endif
