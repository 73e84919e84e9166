/* exitcode.h — the process exit codes of every command, in one place.
 * docs/results.md and `kubectl konduktor launch --help` (also result,
 * wait, map, group results) print this table;
 * a change here is a user-visible change. */
#ifndef KONDUKTOR_EXITCODE_H
#define KONDUKTOR_EXITCODE_H

enum exit_code {
	EXIT_OK = 0,
	EXIT_ERROR = 1,             /* API, network, auth or other runtime error */
	EXIT_USAGE = 2,             /* bad flags, malformed task or input file */
	EXIT_NOT_FOUND = 3,         /* the job or group does not exist */
	/* The result contract's outcomes (DESIGN.md section 2). */
	EXIT_JOB_FAILED = 10,       /* non-zero exit, or never reported */
	EXIT_RESULT_TOO_LARGE = 11, /* result.json over 4096 bytes */
	EXIT_MALFORMED_RESULT = 12, /* result.json is not valid JSON */
	EXIT_NO_RESULT = 13,        /* succeeded without writing result.json */
	EXIT_TIMEOUT = 14,          /* --timeout passed before the job ended */
	EXIT_GROUP_FAILURES = 15,   /* a group finished with failed inputs */
	EXIT_CANCELLED = 16,        /* the job was cancelled */
};

#endif
