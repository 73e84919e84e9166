/* joblog.c — printing and following a job's log (see joblog.h). */
#include "joblog.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "manifest.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

/* --- a deadline for a blocking log stream ---------------------------------- */

/* Cancels a stream when the deadline passes: a thread that sleeps until
 * then, unless the stream ends first. */
struct deadline_guard {
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int64_t deadline_ms;
	struct kube_cancel *cancel;
};

static void *guard_main(void *arg)
{
	struct deadline_guard *g = arg;
	struct timespec ts;

	pthread_mutex_lock(&g->lock);
	while (!g->done) {
		int64_t left = g->deadline_ms - time_mono_ms();

		if (left <= 0)
			break;
		time_after_ms(CLOCK_MONOTONIC, left, &ts);
		pthread_cond_timedwait(&g->cond, &g->lock, &ts);
	}
	if (!g->done)
		kube_cancel_trigger(g->cancel);
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

static void guard_start(struct deadline_guard *g, int64_t deadline_ms)
{
	pthread_condattr_t attr;

	memset(g, 0, sizeof(*g));
	g->cancel = kube_cancel_new();
	g->deadline_ms = deadline_ms;
	if (deadline_ms < 0)
		return;
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cond, &attr);
	pthread_condattr_destroy(&attr);
	g->started = pthread_create(&g->thread, NULL, guard_main, g) == 0;
	if (!g->started) {
		pthread_cond_destroy(&g->cond);
		pthread_mutex_destroy(&g->lock);
	}
}

static void guard_stop(struct deadline_guard *g)
{
	if (g->started) {
		pthread_mutex_lock(&g->lock);
		g->done = true;
		pthread_cond_broadcast(&g->cond);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->thread, NULL);
		pthread_cond_destroy(&g->cond);
		pthread_mutex_destroy(&g->lock);
	}
	kube_cancel_free(g->cancel);
}

/* --- one pod ------------------------------------------------------------------ */

static const cJSON *task_container(const cJSON *pod)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, json_get(pod, "status.containerStatuses"))
		if (str_eq(json_get_string(c, "name"), MANIFEST_CONTAINER_NAME))
			return c;
	return NULL;
}

/* Its container runs or ran: there is a log to read. */
static bool pod_started(const cJSON *pod)
{
	const cJSON *c = task_container(pod);

	return json_get(c, "state.running") || json_get(c, "state.terminated");
}

static int write_out(const char *data, size_t len, void *ctx)
{
	(void)ctx;
	if (fwrite(data, 1, len, stdout) != len)
		return 1; /* stdout is gone: stop */
	fflush(stdout);
	return 0;
}

/* Streams a pod's log to stdout; returns 0, or -1 with err. */
static int stream_pod(struct kcluster *kc, const char *ns, const cJSON *pod, bool follow,
		      bool set_tail, int64_t tail, struct kube_cancel *cancel, struct error *err)
{
	struct kube_log_opts opts = { .container = MANIFEST_CONTAINER_NAME, .follow = follow,
				      .set_tail_lines = set_tail, .tail_lines = tail };

	return kube_pod_logs_stream(kc->client, ns, json_get_string(pod, "metadata.name"), &opts,
				    write_out, NULL, cancel, err);
}

static int print_once(struct kcluster *kc, const struct kjob *job, const struct joblog_opts *o,
		      struct error *err)
{
	struct job_status st;
	const cJSON *pod;
	int r = -1;

	if (kjob_status(job, &st, err) < 0)
		return -1;
	if (o->rank >= st.n_indexes) {
		error_set(err, "job '%s' has %zu rank%s: there is no rank %zu", job->name,
			  st.n_indexes, st.n_indexes == 1 ? "" : "s", o->rank);
		goto out;
	}
	pod = st.indexes[o->rank].pod;
	if (!pod) {
		error_set(err, "rank %zu of job '%s' has no pod (%s%s%s)", o->rank, job->name,
			  job_state_name(st.state), *st.message ? ": " : "", st.message);
		goto out;
	}
	if (!pod_started(pod)) {
		error_set(err, "rank %zu of job '%s' has not started yet (%s%s%s); 'logs -f' waits "
			       "for it",
			  o->rank, job->name, job_state_name(st.state), *st.message ? ": " : "",
			  st.message);
		goto out;
	}
	r = stream_pod(kc, job->namespace, pod, false, o->set_tail, o->tail_lines, NULL, err);
out:
	job_status_release(&st);
	return r;
}

/* --- following ------------------------------------------------------------------ */

struct follow {
	struct kcluster *kc;
	const struct joblog_opts *o;
	struct strv streamed; /* uids of the pods whose logs were shown */
	char noticed[STATUS_MESSAGE_MAX];
	bool tail_used;
};

static void notice(struct follow *f, const char *job, const char *what)
{
	if (!strcmp(f->noticed, what))
		return;
	fprintf(stderr, "job '%s': %s; waiting\n", job, what);
	str_copy(f->noticed, sizeof(f->noticed), what);
}

/* Shows the pod's log if it has one not shown yet. 0, or -1 with err. */
static int maybe_stream(struct follow *f, const struct kjob *snap, const struct index_status *is,
			struct deadline_guard *guard, struct error *err)
{
	const cJSON *pod = is->pod;
	const char *uid = json_get_string(pod, "metadata.uid");
	struct error why = ERROR_INIT;

	if (!pod || !uid || strv_find(&f->streamed, uid) >= 0 || !pod_started(pod))
		return 0;
	if (f->streamed.len)
		fprintf(stderr, "---- rank %zu, attempt %d (pod %s) ----\n", f->o->rank, is->attempts,
			json_get_string(pod, "metadata.name"));
	fflush(stdout);
	if (stream_pod(f->kc, snap->namespace, pod, true, f->o->set_tail && !f->tail_used,
		       f->o->tail_lines, guard->cancel, &why) < 0) {
		if (why.code == KUBE_ERR_CANCELLED)
			return 0; /* the deadline: the caller sees it next */
		if (why.code == 400 || why.code == 404)
			return 0; /* not yet started after all, or gone: the watch tells */
		if (err)
			*err = why;
		return -1;
	}
	f->tail_used = true;
	strv_push(&f->streamed, uid);
	return 0;
}

static int follow(struct kcluster *kc, const struct kjob *job, const struct joblog_opts *o,
		  struct job_final *final, struct error *err)
{
	struct follow f = { .kc = kc, .o = o, .streamed = STRV_INIT };
	struct kcluster_watch *w = NULL;
	struct deadline_guard guard;
	struct kjob snap;
	enum job_end end = JOB_END_NONE;
	int r = -1;

	if (kcluster_watch_start(kc, job, &w, err) < 0)
		return -1;
	kjob_init(&snap);
	guard_start(&guard, o->deadline_ms);
	for (;;) {
		struct job_status st;
		int next = kcluster_watch_next(w, o->deadline_ms, &snap, err);

		if (next < 0)
			break;
		if (next == 0) {
			end = JOB_END_TIMEOUT;
			r = 0;
			break;
		}
		if (kjob_status(&snap, &st, err) < 0)
			break;
		if (st.state != JOB_NOT_FOUND && o->rank >= st.n_indexes) {
			error_set(err, "job '%s' has %zu rank%s: there is no rank %zu", job->name,
				  st.n_indexes, st.n_indexes == 1 ? "" : "s", o->rank);
			job_status_release(&st);
			break;
		}
		if (st.state != JOB_NOT_FOUND &&
		    maybe_stream(&f, &snap, &st.indexes[o->rank], &guard, err) < 0) {
			job_status_release(&st);
			break;
		}
		end = job_end_of(&st);
		if (end == JOB_END_STUCK && !o->stop_when_stuck) {
			notice(&f, job->name, st.message);
			end = JOB_END_NONE;
		} else if (end == JOB_END_NONE && job_unschedulable_message(&st)) {
			notice(&f, job->name, job_unschedulable_message(&st));
		}
		job_status_release(&st);
		if (end != JOB_END_NONE) {
			r = 0;
			break;
		}
		if (o->deadline_ms >= 0 && time_mono_ms() >= o->deadline_ms) {
			end = JOB_END_TIMEOUT;
			r = 0;
			break;
		}
	}
	guard_stop(&guard);
	if (r == 0 && final)
		job_final_set(final, end, &snap);
	kjob_release(&snap);
	kcluster_watch_free(w);
	strv_release(&f.streamed);
	return r;
}

int joblog_print(struct kcluster *kc, const struct kjob *job, const struct joblog_opts *o,
		 struct job_final *final, struct error *err)
{
	if (!o->follow)
		return print_once(kc, job, o, err);
	return follow(kc, job, o, final, err);
}
