/* test_logstream.c — log streams when the API server does not answer:
 * opening a log fails with EIO within the request timeout (a server that
 * accepts connections and says nothing, a closed port), no more than
 * LOG_WAITERS_MAX opens wait at once (the next fails at once), a daemon
 * that stops gives up waiting, and a failed stream is tried again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kube_client.h"
#include "logstream.h"
#include "timeutil.h"

#define TIMEOUT "400ms"
#define TIMEOUT_MS 400
/* Generous: the machine is shared. */
#define BOUND_MS 10000

/* A port that accepts connections (the kernel completes them from the
 * backlog) and never answers. */
static int silent_server(int *ret_port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(fd, 64), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	*ret_port = ntohs(addr.sin_port);
	return fd;
}

static struct kube_client *client_for(int port, const char *timeout)
{
	char server[64];
	struct kube_overrides ov = { .server = server, .kubeconfig = "/dev/null",
				     .request_timeout = timeout };
	struct kube_config *config = NULL;
	struct error err = ERROR_INIT;
	struct kube_client *client;

	snprintf(server, sizeof(server), "http://127.0.0.1:%d", port);
	assert_int_equal(kube_config_load(&ov, &config, &err), 0);
	client = kube_client_new(config, &err);
	assert_non_null(client);
	return client;
}

static void test_a_silent_server(void **state)
{
	int port, fd = silent_server(&port);
	struct kube_client *client = client_for(port, TIMEOUT);
	struct log_registry *reg = log_registry_new(client, TIMEOUT_MS, NULL, NULL);
	struct error err = ERROR_INIT;
	int64_t started = time_mono_ms();
	uint64_t size = 1;
	int64_t mtime;

	(void)state;
	assert_null(log_registry_open(reg, "default", "p-0", false, &err));
	assert_int_equal(err.code, EIO);
	assert_true(time_mono_ms() - started < BOUND_MS);
	/* The stream is known, with nothing in it. */
	assert_true(log_registry_stat(reg, "default", "p-0", &size, &mtime));
	assert_int_equal(size, 0);
	assert_false(log_registry_stat(reg, "default", "other", &size, &mtime));
	log_registry_free(reg);
	kube_client_free(client);
	close(fd);
}

static void test_a_closed_port_fails_and_is_tried_again(void **state)
{
	int port, fd = silent_server(&port);
	struct kube_client *client;
	struct log_registry *reg;
	struct error err = ERROR_INIT;

	(void)state;
	close(fd); /* now nothing listens there */
	client = client_for(port, TIMEOUT);
	reg = log_registry_new(client, TIMEOUT_MS, NULL, NULL);
	for (int attempt = 0; attempt < 2; attempt++) {
		int64_t started = time_mono_ms();

		error_clear(&err);
		assert_null(log_registry_open(reg, "default", "p-0", true, &err));
		assert_int_equal(err.code, EIO);
		assert_true(err.msg[0] != '\0');
		assert_true(time_mono_ms() - started < BOUND_MS);
	}
	assert_int_equal(log_registry_count(reg), 1);
	log_registry_free(reg);
	kube_client_free(client);
}

struct opener {
	struct log_registry *reg;
	char pod[32];
	struct error err;
	int64_t took_ms;
	bool opened;
};

static void *open_one(void *arg)
{
	struct opener *o = arg;
	int64_t started = time_mono_ms();
	struct log_stream *s = log_registry_open(o->reg, "default", o->pod, false, &o->err);

	o->took_ms = time_mono_ms() - started;
	o->opened = s != NULL;
	log_stream_release(s);
	return NULL;
}

static void test_waiters_are_capped(void **state)
{
	int port, fd = silent_server(&port);
	/* Long enough for every thread to be waiting at once. */
	struct kube_client *client = client_for(port, "3s");
	struct log_registry *reg = log_registry_new(client, 3000, NULL, NULL);
	struct opener openers[LOG_WAITERS_MAX + 1];
	pthread_t threads[LOG_WAITERS_MAX + 1];
	int capped = 0, timed_out = 0;

	(void)state;
	for (int i = 0; i <= LOG_WAITERS_MAX; i++) {
		memset(&openers[i], 0, sizeof(openers[i]));
		openers[i].reg = reg;
		snprintf(openers[i].pod, sizeof(openers[i].pod), "p-%d", i);
		assert_int_equal(pthread_create(&threads[i], NULL, open_one, &openers[i]), 0);
	}
	for (int i = 0; i <= LOG_WAITERS_MAX; i++) {
		pthread_join(threads[i], NULL);
		assert_false(openers[i].opened);
		assert_int_equal(openers[i].err.code, EIO);
		if (strstr(openers[i].err.msg, "reads of logs wait for the API server")) {
			capped++;
			assert_true(openers[i].took_ms < 2000);
		} else {
			timed_out++;
		}
	}
	assert_int_equal(capped, 1);
	assert_int_equal(timed_out, LOG_WAITERS_MAX);
	log_registry_free(reg);
	kube_client_free(client);
	close(fd);
}

static atomic_bool stopping;

static bool is_stopping(void *ctx)
{
	(void)ctx;
	return atomic_load(&stopping);
}

static void test_a_stopping_daemon_gives_up_waiting(void **state)
{
	int port, fd = silent_server(&port);
	struct kube_client *client = client_for(port, "60s");
	struct log_registry *reg = log_registry_new(client, 60000, is_stopping, NULL);
	struct error err = ERROR_INIT;
	int64_t started = time_mono_ms();

	(void)state;
	atomic_store(&stopping, true);
	assert_null(log_registry_open(reg, "default", "p-0", false, &err));
	assert_int_equal(err.code, EIO);
	assert_true(time_mono_ms() - started < BOUND_MS);
	log_registry_free(reg); /* the thread is cancelled, not waited out */
	assert_true(time_mono_ms() - started < BOUND_MS);
	kube_client_free(client);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_silent_server),
		cmocka_unit_test(test_a_closed_port_fails_and_is_tried_again),
		cmocka_unit_test(test_waiters_are_capped),
		cmocka_unit_test(test_a_stopping_daemon_gives_up_waiting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
