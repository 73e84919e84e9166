/* kubelet.c — runs the pods bound to the local node (see kubelet.h).
 *
 * Threads: the kubelet's work queue syncs one pod at a time (key
 * "namespace/name"); store subscriptions, the runner's event thread and
 * the pod terminator only record what happened under k->lock and queue the
 * pod. A sync holds k->lock throughout; it calls the store and the runner,
 * neither of which calls back into the kubelet synchronously. */
#include "kubelet.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "fileutil.h"
#include "hashmap.h"
#include "jsonutil.h"
#include "k8sobj.h"
#include "log.h"
#include "podenv.h"
#include "podlog.h"
#include "podnet.h"
#include "podvolumes.h"
#include "runner.h"
#include "sha1.h"
#include "store.h"
#include "strutil.h"
#include "timeutil.h"
#include "workqueue.h"
#include "xalloc.h"

#define COMPONENT "kubelet"
#define PREPARE_RETRY_MS 2000
#define CONFIG_RETRY_MS 2000
#define SHOW_PULL_BACKOFF_MS 1000
/* A container that ran this long starts its back-off afresh. */
#define BACKOFF_RESET_MS (10 * 60 * 1000)
#define TERMINATION_MESSAGE_PATH "/dev/termination-log"
#define LOST_MESSAGE "The container could not be located when the pod was terminated"
#define SHUTDOWN_MESSAGE "Pod was terminated in response to imminent node shutdown."
#define RESTART_MESSAGE "Pod was terminated because the local cluster restarted."

enum cstate { C_WAITING, C_RUNNING, C_TERMINATED };

struct termination {
	int exit_code;
	char *reason;
	char *message;
	char started[RFC3339_MAX];
	char finished[RFC3339_MAX];
	char *container_id;
};

struct kcontainer {
	char *name;
	char *image;
	bool init;
	enum cstate state;
	const char *waiting_reason; /* static */
	char *waiting_message;
	uint64_t run_id;            /* while the runner has it */
	char started_at[RFC3339_MAX];
	char *container_id;
	struct termination term;    /* C_TERMINATED */
	struct termination last;    /* lastState.terminated */
	bool has_last;
	int restart_count;
	int64_t backoff_ms;         /* the next crash back-off; 0 = restart at once */
	int64_t delay_ms;           /* the back-off being waited out */
	int64_t restart_at_ms;      /* monotonic: back-off ends (0: not computed) */
	int64_t ran_ms;             /* how long the last run ran */
	int64_t started_mono_ms;
	bool backoff_event_sent;
	int64_t stop_grace_sent_ms; /* -1: no stop sent */
	/* image pull failures */
	int pull_stage;             /* 0 none, 1 ErrImagePull shown, 2 ImagePullBackOff */
	int64_t pull_backoff_ms;
	int64_t pull_stage_at_ms;
};

struct kpod {
	char *key;
	char *ns, *name, *uid;
	char *dir;
	const char *ip;             /* owned by the podnet */
	char *hostname;
	char *subdomain;
	cJSON *labels;
	char *restart_policy;
	char start_time[RFC3339_MAX];
	struct kcontainer *c;
	size_t n, n_init;
	bool prepared;
	struct pod_volumes volumes;
	int64_t prepare_retry_at_ms;
	bool terminating;
	int64_t grace_ms;
	bool finalized;             /* the grace-0 delete was issued */
	bool gone;                  /* deleted from the store */
	bool ready;
	struct buf hosts;           /* what the hosts file holds */
	char *hosts_path;
};

struct run_ref {
	char *pod_key;
	size_t index;
};

static void run_ref_free(void *value)
{
	struct run_ref *ref = value;

	free(ref->pod_key);
	free(ref);
}

struct kubelet {
	struct kubelet_config config;
	char *node;
	char *data_dir, *logs_dir, *pods_dir;
	char *fail_pattern;
	cJSON *node_labels, *node_taints;
	struct store *store;
	struct runner *runner;
	struct workqueue *queue;
	struct store_subscription *sub;
	pthread_mutex_t lock;
	struct hashmap pods; /* key -> struct kpod */
	struct hashmap runs; /* run id as text -> struct run_ref */
	struct podnet net;
	bool stopping;
};

/* ---------------- small helpers ---------------- */

static void split_key(const char *key, char *ns, size_t ns_size, const char **name)
{
	const char *slash = strchr(key, '/');

	*name = slash ? slash + 1 : key;
	snprintf(ns, ns_size, "%.*s", slash ? (int)(slash - key) : 0, key);
}

/* Go's time.Duration.String() for whole milliseconds: "10s", "1m20s", "500ms". */
static void go_duration(int64_t ms, char *out, size_t size)
{
	if (ms < 1000) {
		snprintf(out, size, "%" PRId64 "ms", ms);
		return;
	}
	if (ms % 1000) {
		if (ms < 60000) {
			snprintf(out, size, "%" PRId64 ".%03" PRId64 "s", ms / 1000, ms % 1000);
			/* trailing zeros of the fraction go */
			for (size_t len = strlen(out); len > 2 && out[len - 2] == '0'; len--) {
				out[len - 2] = 's';
				out[len - 1] = '\0';
			}
			return;
		}
		ms -= ms % 1000;
	}
	if (ms < 60000)
		snprintf(out, size, "%" PRId64 "s", ms / 1000);
	else if (ms < 3600000)
		snprintf(out, size, "%" PRId64 "m%" PRId64 "s", ms / 60000, (ms / 1000) % 60);
	else
		snprintf(out, size, "%" PRId64 "h%" PRId64 "m%" PRId64 "s", ms / 3600000,
			 (ms / 60000) % 60, (ms / 1000) % 60);
}

static void now_rfc3339(char out[RFC3339_MAX])
{
	k8s_time_now(out);
}

static void termination_release(struct termination *t)
{
	free(t->reason);
	free(t->message);
	free(t->container_id);
	*t = (struct termination){ 0 };
}

static void termination_copy(struct termination *to, const struct termination *from)
{
	termination_release(to);
	*to = *from;
	to->reason = from->reason ? xstrdup(from->reason) : NULL;
	to->message = from->message ? xstrdup(from->message) : NULL;
	to->container_id = from->container_id ? xstrdup(from->container_id) : NULL;
}

static void set_waiting(struct kcontainer *c, const char *reason, const char *message)
{
	c->state = C_WAITING;
	c->waiting_reason = reason;
	free(c->waiting_message);
	c->waiting_message = message ? xstrdup(message) : NULL;
}

static void record(struct kubelet *k, const struct store_obj *pod, const char *field,
		   const char *type, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void record(struct kubelet *k, const struct store_obj *pod, const char *field,
		   const char *type, const char *reason, const char *fmt, ...)
{
	struct buf msg = BUF_INIT(BUF_MAX_SMALL);
	va_list ap;

	if (!pod)
		return;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	store_record_event(k->store, pod, field, type, reason, COMPONENT, "%s", msg.data);
	buf_release(&msg);
}

static char *field_path(const struct kcontainer *c)
{
	return xasprintf("spec.%s{%s}", c->init ? "initContainers" : "containers", c->name);
}

/* ---------------- pods ---------------- */

static struct kpod *kpod_new(struct kubelet *k, const char *key, const cJSON *pod)
{
	struct kpod *kp = xcalloc(1, sizeof(*kp));
	const cJSON *init = json_get(pod, "spec.initContainers");
	const cJSON *regular = json_get(pod, "spec.containers"), *c;
	const char *policy = json_get_string(pod, "spec.restartPolicy");
	const char *start = json_get_string(pod, "status.startTime");
	size_t i = 0;

	kp->key = xstrdup(key);
	kp->ns = xstrdup(k8s_namespace(pod));
	kp->name = xstrdup(k8s_name(pod));
	kp->uid = xstrdup(k8s_uid(pod));
	kp->dir = xasprintf("%s/%s", k->pods_dir, kp->uid);
	kp->hostname = podnet_hostname(pod);
	kp->subdomain = xstrdup(json_get_string(pod, "spec.subdomain") ?: "");
	kp->labels = json_get(pod, "metadata.labels") ? cJSON_Duplicate(json_get(pod, "metadata.labels"), true)
						      : cJSON_CreateObject();
	kp->restart_policy = xstrdup(policy ? policy : "Always");
	if (start)
		str_copy(kp->start_time, sizeof(kp->start_time), start);
	else
		now_rfc3339(kp->start_time);
	kp->n_init = (size_t)cJSON_GetArraySize(init);
	kp->n = kp->n_init + (size_t)cJSON_GetArraySize(regular);
	kp->c = xcalloc(kp->n ? kp->n : 1, sizeof(*kp->c));
	kp->hosts = (struct buf)BUF_INIT(BUF_MAX_SMALL);
	kp->hosts_path = xasprintf("%s/etc-hosts", kp->dir);
	for (size_t l = 0; l < 2; l++) {
		const cJSON *list = l == 0 ? init : regular;

		cJSON_ArrayForEach(c, list) {
			struct kcontainer *kc = &kp->c[i++];

			kc->name = xstrdup(json_get_string(c, "name") ?: "");
			kc->image = xstrdup(json_get_string(c, "image") ?: "");
			kc->init = l == 0;
			kc->stop_grace_sent_ms = -1;
			/* Containers wait for the init containers, or for their creation. */
			set_waiting(kc, kp->n_init ? "PodInitializing" : "ContainerCreating", NULL);
		}
	}
	hashmap_put(&k->pods, key, kp);
	return kp;
}

static void kpod_free(void *value)
{
	struct kpod *kp = value;

	for (size_t i = 0; i < kp->n; i++) {
		struct kcontainer *c = &kp->c[i];

		free(c->name);
		free(c->image);
		free(c->waiting_message);
		free(c->container_id);
		termination_release(&c->term);
		termination_release(&c->last);
	}
	free(kp->c);
	podvolumes_release(&kp->volumes);
	buf_release(&kp->hosts);
	cJSON_Delete(kp->labels);
	free(kp->hosts_path);
	free(kp->key);
	free(kp->ns);
	free(kp->name);
	free(kp->uid);
	free(kp->dir);
	free(kp->hostname);
	free(kp->subdomain);
	free(kp->restart_policy);
	free(kp);
}

static bool any_running(const struct kpod *kp)
{
	for (size_t i = 0; i < kp->n; i++)
		if (kp->c[i].run_id)
			return true;
	return false;
}

/* ---------------- hosts files ---------------- */

/* Rewrites in place: the file is bind-mounted, so its inode must stay. */
static void write_hosts(struct kpod *kp, const struct buf *content)
{
	int fd;

	if (kp->hosts.len == content->len && !memcmp(kp->hosts.data, content->data, content->len))
		return;
	fd = open(kp->hosts_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_warn("kubelet: cannot write '%s': %s", kp->hosts_path, strerror(errno));
		return;
	}
	if (pwrite(fd, content->data, content->len, 0) == (ssize_t)content->len &&
	    ftruncate(fd, (off_t)content->len) == 0) {
		buf_reset(&kp->hosts);
		buf_append(&kp->hosts, content->data, content->len);
	}
	close(fd);
}

/* Recomputes the hosts file of every prepared pod in namespace ns. */
static void refresh_hosts(struct kubelet *k, const char *ns)
{
	struct store_list services = STORE_LIST_INIT;
	struct api_error aerr = API_ERROR_INIT;
	cJSON **parsed = NULL;
	size_t pos = 0;
	const char *key;
	void *value;

	if (store_list(k->store, RESOURCE_SERVICE, ns, NULL, &services, &aerr) < 0)
		return;
	parsed = xcalloc(services.len + 1, sizeof(*parsed));
	for (size_t i = 0; i < services.len; i++)
		parsed[i] = store_obj_parse(services.items[i]);
	while (hashmap_next(&k->pods, &pos, &key, &value)) {
		struct kpod *kp = value;
		struct podnet_peer *peers;
		size_t n_peers = 0, pos2 = 0;
		struct buf content = BUF_INIT(BUF_MAX_DEFAULT);
		const char *key2;
		void *value2;

		if (strcmp(kp->ns, ns) || !kp->prepared || kp->gone)
			continue;
		peers = xcalloc(k->pods.len + 1, sizeof(*peers));
		while (hashmap_next(&k->pods, &pos2, &key2, &value2)) {
			struct kpod *other = value2;

			if (strcmp(other->ns, ns) || !other->ip || other->gone || other == kp)
				continue;
			for (size_t s = 0; s < services.len; s++) {
				if (podnet_pod_in_headless_service(parsed[s], other->labels, other->subdomain,
								   other->ready)) {
					peers[n_peers++] = (struct podnet_peer){ other->ip, other->hostname,
										 other->subdomain };
					break;
				}
			}
		}
		podnet_hosts_file(ns, kp->ip, kp->hostname, kp->subdomain, NULL, peers, n_peers, &content);
		write_hosts(kp, &content);
		buf_release(&content);
		free(peers);
	}
	for (size_t i = 0; i < services.len; i++)
		cJSON_Delete(parsed[i]);
	free(parsed);
	store_list_release(&services);
}

/* ---------------- starting containers ---------------- */

static const cJSON *container_spec(const cJSON *pod, const struct kcontainer *c)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, json_get(pod, c->init ? "spec.initContainers" : "spec.containers"))
		if (str_eq(json_get_string(item, "name"), c->name))
			return item;
	return NULL;
}

static int prepare_pod(struct kubelet *k, struct kpod *kp, const cJSON *pod,
		       const struct store_obj *obj)
{
	struct podenv_context ctx = { .store = k->store, .host_ip = PODNET_HOST_IP };
	struct error err = ERROR_INIT;
	_cleanup_free_ char *containers = xasprintf("%s/containers", kp->dir);

	if (kp->prepare_retry_at_ms && time_mono_ms() < kp->prepare_retry_at_ms)
		return -1;
	if (mkdir_parents(containers, 0700, &err) < 0 || chmod(kp->dir, 0700) < 0) {
		record(k, obj, NULL, "Warning", "FailedCreatePodSandBox",
		       "Failed to create pod sandbox: %s", err.msg[0] ? err.msg : strerror(errno));
		kp->prepare_retry_at_ms = time_mono_ms() + PREPARE_RETRY_MS;
		return -1;
	}
	kp->ip = podnet_assign(&k->net, kp->uid, json_get_string(pod, "status.podIP"));
	ctx.pod_ip = kp->ip;
	ctx.hostname = kp->hostname;
	podvolumes_release(&kp->volumes);
	if (podvolumes_prepare(&ctx, pod, kp->dir, &kp->volumes, &err) < 0) {
		record(k, obj, NULL, "Warning", "FailedMount", "%s", err.msg);
		kp->prepare_retry_at_ms = time_mono_ms() + PREPARE_RETRY_MS;
		return -1;
	}
	kp->prepared = true;
	refresh_hosts(k, kp->ns);
	return 0;
}

/* The image "pull": an image matching the failure pattern never pulls.
 * Returns true if the container may start. */
static bool pull_image(struct kubelet *k, struct kcontainer *c, const struct store_obj *obj,
		       const char *field)
{
	int64_t now = time_mono_ms();
	char message[1024];

	if (!k->fail_pattern || fnmatch(k->fail_pattern, c->image, 0) != 0)
		return true;
	if (c->pull_stage == 1 && now >= c->pull_stage_at_ms) {
		/* The failed pull has been seen: now it is in back-off. */
		snprintf(message, sizeof(message), "Back-off pulling image \"%s\"", c->image);
		set_waiting(c, "ImagePullBackOff", message);
		c->pull_stage = 2;
		record(k, obj, field, "Normal", "BackOff", "%s", message);
		record(k, obj, field, "Warning", "Failed", "Error: ImagePullBackOff");
		return false;
	}
	if (c->pull_stage != 0 && now < c->restart_at_ms)
		return false;
	c->pull_backoff_ms = c->pull_backoff_ms ? c->pull_backoff_ms * 2 : k->config.backoff_ms;
	if (c->pull_backoff_ms > k->config.backoff_max_ms)
		c->pull_backoff_ms = k->config.backoff_max_ms;
	snprintf(message, sizeof(message),
		 "failed to pull and unpack image \"%s\": failed to resolve reference \"%s\": "
		 "%s: not found",
		 c->image, c->image, c->image);
	set_waiting(c, "ErrImagePull", message);
	record(k, obj, field, "Normal", "Pulling", "Pulling image \"%s\"", c->image);
	record(k, obj, field, "Warning", "Failed", "Failed to pull image \"%s\": %s", c->image, message);
	record(k, obj, field, "Warning", "Failed", "Error: ErrImagePull");
	/* ErrImagePull shows until the next look, then ImagePullBackOff for
	 * the back-off; then the pull is tried again. */
	c->pull_stage = 1;
	c->pull_stage_at_ms = now + SHOW_PULL_BACKOFF_MS;
	c->restart_at_ms = c->pull_stage_at_ms + c->pull_backoff_ms;
	return false;
}

static void start_container(struct kubelet *k, struct kpod *kp, size_t index, const cJSON *pod,
			    const struct store_obj *obj)
{
	struct kcontainer *c = &kp->c[index];
	const cJSON *spec = container_spec(pod, c);
	struct podenv_context ctx = { .store = k->store, .host_ip = PODNET_HOST_IP, .pod_ip = kp->ip,
				      .hostname = kp->hostname };
	struct strv env = STRV_INIT, argv = STRV_INIT;
	struct pod_mounts mounts = { 0 };
	struct runner_mount *all = NULL;
	struct error err = ERROR_INIT;
	_cleanup_free_ char *field = field_path(c);
	_cleanup_free_ char *log_path = NULL, *term_file = NULL, *name = NULL, *id_text = NULL;
	const char *term_path = json_get_string(spec, "terminationMessagePath");
	int64_t uid = -1, gid = -1;
	struct runner_spec rs;
	uint64_t id;

	if (!spec || !pull_image(k, c, obj, field))
		return;
	if (c->restart_at_ms && time_mono_ms() < c->restart_at_ms)
		return; /* a configuration error's retry */
	c->pull_stage = 0;
	c->pull_backoff_ms = 0;
	ctx.node = NULL;
	{
		struct store_obj *node = NULL;
		cJSON *node_json = NULL;

		if (store_get(k->store, RESOURCE_NODE, NULL, k->node, &node, NULL) == 0) {
			node_json = store_obj_parse(node);
			store_obj_unref(node);
		}
		ctx.node = node_json;
		if (podenv_resolve(&ctx, pod, spec, &env, &argv, &err) < 0 ||
		    podvolumes_mounts(&kp->volumes, spec, &mounts, &err) < 0) {
			cJSON_Delete(node_json);
			set_waiting(c, "CreateContainerConfigError", err.msg);
			record(k, obj, field, "Warning", "Failed", "Error: %s", err.msg);
			c->restart_at_ms = time_mono_ms() + CONFIG_RETRY_MS;
			goto out;
		}
		cJSON_Delete(node_json);
	}
	if (!json_get_int64(spec, "securityContext.runAsUser", &uid))
		json_get_int64(pod, "spec.securityContext.runAsUser", &uid);
	if (!json_get_int64(spec, "securityContext.runAsGroup", &gid))
		json_get_int64(pod, "spec.securityContext.runAsGroup", &gid);
	/* The pod's hosts file, then the volumes. */
	all = xcalloc(mounts.len + 1, sizeof(*all));
	all[0] = (struct runner_mount){ .host_path = kp->hosts_path, .container_path = "/etc/hosts" };
	memcpy(all + 1, mounts.items, mounts.len * sizeof(*all));
	log_path = podlog_path(k->logs_dir, kp->ns, kp->name, kp->uid, c->name, c->restart_count);
	unlink(log_path);
	term_file = xasprintf("%s/containers/%s-%d.termination-log", kp->dir, c->name, c->restart_count);
	name = xasprintf("%s/%s/%s", kp->ns, kp->name, c->name);
	rs = (struct runner_spec){
		.name = name,
		.argv = strv_array(&argv),
		.envp = strv_array(&env),
		.working_dir = json_get_string(spec, "workingDir"),
		.hostname = kp->hostname,
		.mounts = all,
		.n_mounts = mounts.len + 1,
		.log_path = log_path,
		.termination_message_path = term_path ? term_path : TERMINATION_MESSAGE_PATH,
		.termination_message_file = term_file,
		.fallback_to_logs_on_error = str_eq(json_get_string(spec, "terminationMessagePolicy"),
						    "FallbackToLogsOnError"),
		.run_as_user = uid,
		.run_as_group = gid,
	};
	if (runner_start(k->runner, &rs, &id, &err) < 0) {
		set_waiting(c, "RunContainerError", err.msg);
		record(k, obj, field, "Warning", "Failed", "Error: %s", err.msg);
		c->restart_at_ms = time_mono_ms() + k->config.backoff_ms;
		goto out;
	}
	{
		_cleanup_free_ char *seed = xasprintf("%s/%s/%d", kp->uid, c->name, c->restart_count);
		char hex[SHA1_HEX_SIZE];
		struct run_ref *ref = xmalloc(sizeof(*ref));

		sha1_hex(seed, strlen(seed), hex);
		free(c->container_id);
		c->container_id = xasprintf("local://%s", hex);
		id_text = xasprintf("%" PRIu64, id);
		*ref = (struct run_ref){ xstrdup(kp->key), index };
		hashmap_put(&k->runs, id_text, ref);
	}
	c->run_id = id;
	c->restart_at_ms = 0;
	c->stop_grace_sent_ms = -1;
	c->backoff_event_sent = false;
	set_waiting(c, c->init ? "PodInitializing" : "ContainerCreating", NULL);
	record(k, obj, field, "Normal", "Pulled", "Container image \"%s\" already present on machine",
	       c->image);
	record(k, obj, field, "Normal", "Created", "Created container: %s", c->name);
	record(k, obj, field, "Normal", "Started", "Started container %s", c->name);
out:
	free(all);
	pod_mounts_release(&mounts);
	strv_release(&env);
	strv_release(&argv);
}

/* After a container ended: start it again when its back-off allows. */
static void restart_with_backoff(struct kubelet *k, struct kpod *kp, size_t index, const cJSON *pod,
				 const struct store_obj *obj)
{
	struct kcontainer *c = &kp->c[index];
	int64_t now = time_mono_ms();

	if (!c->restart_at_ms) {
		int64_t delay;

		if (c->ran_ms >= BACKOFF_RESET_MS)
			c->backoff_ms = 0;
		delay = c->backoff_ms;
		c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : k->config.backoff_ms;
		if (c->backoff_ms > k->config.backoff_max_ms)
			c->backoff_ms = k->config.backoff_max_ms;
		if (delay > k->config.backoff_max_ms)
			delay = k->config.backoff_max_ms;
		c->delay_ms = delay;
		c->restart_at_ms = now + delay;
	}
	if (now < c->restart_at_ms) {
		if (!c->backoff_event_sent) {
			_cleanup_free_ char *field = field_path(c);

			record(k, obj, field, "Warning", "BackOff",
			       "Back-off restarting failed container %s in pod %s_%s(%s)", c->name,
			       kp->name, kp->ns, kp->uid);
			c->backoff_event_sent = true;
		}
		return;
	}
	termination_copy(&c->last, &c->term);
	c->has_last = true;
	c->restart_count++;
	c->restart_at_ms = 0;
	start_container(k, kp, index, pod, obj);
}

static bool needs_restart(const struct kpod *kp, const struct kcontainer *c)
{
	if (c->state != C_TERMINATED)
		return false;
	if (c->init)
		return c->term.exit_code != 0 && strcmp(kp->restart_policy, "Never");
	if (!strcmp(kp->restart_policy, "Always"))
		return true;
	return !strcmp(kp->restart_policy, "OnFailure") && c->term.exit_code != 0;
}

/* Init containers one by one, then every container. */
static void run_containers(struct kubelet *k, struct kpod *kp, const cJSON *pod,
			   const struct store_obj *obj)
{
	for (size_t i = 0; i < kp->n_init; i++) {
		struct kcontainer *c = &kp->c[i];

		if (c->state == C_TERMINATED && c->term.exit_code == 0)
			continue;
		if (c->run_id)
			return;
		if (c->state == C_TERMINATED) {
			if (needs_restart(kp, c))
				restart_with_backoff(k, kp, i, pod, obj);
			return;
		}
		start_container(k, kp, i, pod, obj);
		return;
	}
	for (size_t i = kp->n_init; i < kp->n; i++) {
		struct kcontainer *c = &kp->c[i];

		if (c->run_id)
			continue;
		if (c->state == C_TERMINATED) {
			if (needs_restart(kp, c))
				restart_with_backoff(k, kp, i, pod, obj);
			continue;
		}
		if (c->state == C_WAITING && !strcmp(c->waiting_reason, "PodInitializing"))
			set_waiting(c, "ContainerCreating", NULL);
		start_container(k, kp, i, pod, obj);
	}
}

/* ---------------- status ---------------- */

static bool init_done(const struct kpod *kp)
{
	for (size_t i = 0; i < kp->n_init; i++)
		if (kp->c[i].state != C_TERMINATED || kp->c[i].term.exit_code != 0)
			return false;
	return true;
}

static bool init_failed_for_good(const struct kpod *kp)
{
	for (size_t i = 0; i < kp->n_init; i++)
		if (kp->c[i].state == C_TERMINATED && kp->c[i].term.exit_code != 0 &&
		    !strcmp(kp->restart_policy, "Never"))
			return true;
	return false;
}

static bool in_crash_backoff(const struct kcontainer *c)
{
	return c->state == C_TERMINATED && c->restart_at_ms && time_mono_ms() < c->restart_at_ms;
}

/* getPhase(). */
static const char *pod_phase_of(const struct kpod *kp, bool terminal)
{
	size_t running = 0, waiting = 0, stopped = 0, succeeded = 0;

	if (init_failed_for_good(kp))
		return "Failed";
	if (!terminal && !init_done(kp))
		return "Pending";
	for (size_t i = kp->n_init; i < kp->n; i++) {
		const struct kcontainer *c = &kp->c[i];

		if (c->state == C_RUNNING) {
			running++;
		} else if (c->state == C_TERMINATED) {
			stopped++;
			succeeded += c->term.exit_code == 0;
		} else if (c->has_last) {
			stopped++; /* restarting: waiting with a previous termination */
		} else {
			waiting++;
		}
	}
	if (terminal)
		return stopped == succeeded && !waiting && !running ? "Succeeded" : "Failed";
	if (waiting)
		return "Pending";
	if (running)
		return "Running";
	if (!strcmp(kp->restart_policy, "Always"))
		return "Running";
	if (stopped == succeeded)
		return "Succeeded";
	if (!strcmp(kp->restart_policy, "Never"))
		return "Failed";
	return "Running";
}

static cJSON *termination_json(const struct termination *t)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "exitCode", t->exit_code);
	if (t->reason)
		cJSON_AddStringToObject(j, "reason", t->reason);
	if (t->message && *t->message)
		cJSON_AddStringToObject(j, "message", t->message);
	if (t->started[0])
		cJSON_AddStringToObject(j, "startedAt", t->started);
	else
		cJSON_AddNullToObject(j, "startedAt");
	if (t->finished[0])
		cJSON_AddStringToObject(j, "finishedAt", t->finished);
	else
		cJSON_AddNullToObject(j, "finishedAt");
	if (t->container_id)
		cJSON_AddStringToObject(j, "containerID", t->container_id);
	return j;
}

static cJSON *container_status(const struct kpod *kp, const struct kcontainer *c)
{
	cJSON *s = cJSON_CreateObject();
	cJSON *state = cJSON_CreateObject();
	cJSON *last = cJSON_CreateObject();

	cJSON_AddStringToObject(s, "name", c->name);
	if (in_crash_backoff(c)) {
		cJSON *w = cJSON_AddObjectToObject(state, "waiting");
		char delay[32], message[512];

		go_duration(c->delay_ms, delay, sizeof(delay));
		snprintf(message, sizeof(message),
			 "back-off %s restarting failed container=%s pod=%s_%s(%s)", delay, c->name,
			 kp->name, kp->ns, kp->uid);
		cJSON_AddStringToObject(w, "reason", "CrashLoopBackOff");
		cJSON_AddStringToObject(w, "message", message);
		json_set(last, "terminated", termination_json(&c->term));
	} else {
		switch (c->state) {
		case C_WAITING: {
			cJSON *w = cJSON_AddObjectToObject(state, "waiting");

			cJSON_AddStringToObject(w, "reason", c->waiting_reason);
			if (c->waiting_message)
				cJSON_AddStringToObject(w, "message", c->waiting_message);
			break;
		}
		case C_RUNNING:
			cJSON_AddStringToObject(cJSON_AddObjectToObject(state, "running"), "startedAt",
						c->started_at);
			break;
		case C_TERMINATED:
			json_set(state, "terminated", termination_json(&c->term));
			break;
		}
		if (c->has_last)
			json_set(last, "terminated", termination_json(&c->last));
	}
	json_set(s, "state", state);
	json_set(s, "lastState", last);
	cJSON_AddBoolToObject(s, "ready", c->state == C_RUNNING);
	cJSON_AddNumberToObject(s, "restartCount", c->restart_count);
	cJSON_AddStringToObject(s, "image", c->image);
	cJSON_AddStringToObject(s, "imageID", "");
	if (c->container_id && c->state != C_WAITING)
		cJSON_AddStringToObject(s, "containerID", c->container_id);
	cJSON_AddBoolToObject(s, "started", c->state == C_RUNNING);
	return s;
}

/* Go's %s of a []string: "[a b]". */
static void name_list(struct buf *out, const struct strv *names)
{
	buf_putc(out, '[');
	for (size_t i = 0; i < names->len; i++)
		buf_printf(out, "%s%s", i ? " " : "", names->items[i]);
	buf_putc(out, ']');
}

static void set_pod_condition(cJSON *status, const char *type, bool value, const char *reason,
			      const char *message)
{
	k8s_set_condition(status, "conditions", type, value ? "True" : "False", reason, message,
			  false, false);
}

/* The conditions the kubelet owns, in the order it writes them; the
 * others (PodScheduled, DisruptionTarget, ...) keep their place after. */
static void pod_conditions(const struct kpod *kp, cJSON *status, const char *phase)
{
	static const char *const owned[] = { "PodReadyToStartContainers", "Initialized", "Ready",
					     "ContainersReady" };
	struct strv incomplete = STRV_INIT, unready = STRV_INIT;
	bool terminal = !strcmp(phase, "Succeeded") || !strcmp(phase, "Failed");
	bool started_regular = false;
	cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(status, "conditions");
	cJSON *ordered = cJSON_CreateArray();
	struct buf msg = BUF_INIT(BUF_MAX_SMALL);

	json_set(status, "conditions", ordered);
	/* Keep the times of unchanged conditions: start from the old ones. */
	for (size_t i = 0; i < ARRAY_SIZE(owned); i++) {
		cJSON *c;

		cJSON_ArrayForEach(c, old)
			if (str_eq(json_get_string(c, "type"), owned[i]))
				cJSON_AddItemToArray(ordered, cJSON_Duplicate(c, true));
	}
	for (size_t i = 0; i < kp->n_init; i++)
		if (kp->c[i].state != C_TERMINATED || kp->c[i].term.exit_code != 0)
			strv_push(&incomplete, kp->c[i].name);
	for (size_t i = kp->n_init; i < kp->n; i++) {
		if (kp->c[i].state != C_RUNNING)
			strv_push(&unready, kp->c[i].name);
		if (kp->c[i].state != C_WAITING || kp->c[i].has_last)
			started_regular = true;
	}
	set_pod_condition(status, "PodReadyToStartContainers", kp->prepared && !terminal, NULL, NULL);
	if (!strcmp(phase, "Succeeded")) {
		set_pod_condition(status, "Initialized", true, "PodCompleted", NULL);
	} else if (started_regular || !incomplete.len) {
		set_pod_condition(status, "Initialized", true, NULL, NULL);
	} else {
		buf_puts(&msg, "containers with incomplete status: ");
		name_list(&msg, &incomplete);
		set_pod_condition(status, "Initialized", false, "ContainersNotInitialized", msg.data);
	}
	buf_reset(&msg);
	if (terminal) {
		const char *reason = !strcmp(phase, "Succeeded") ? "PodCompleted" : "PodFailed";

		set_pod_condition(status, "Ready", false, reason, NULL);
		set_pod_condition(status, "ContainersReady", false, reason, NULL);
	} else if (unready.len) {
		buf_puts(&msg, "containers with unready status: ");
		name_list(&msg, &unready);
		set_pod_condition(status, "Ready", false, "ContainersNotReady", msg.data);
		set_pod_condition(status, "ContainersReady", false, "ContainersNotReady", msg.data);
	} else {
		set_pod_condition(status, "Ready", true, NULL, NULL);
		set_pod_condition(status, "ContainersReady", true, NULL, NULL);
	}
	/* Everything else the pod had, in its order. */
	{
		cJSON *c;

		cJSON_ArrayForEach(c, old) {
			const char *type = json_get_string(c, "type");
			bool mine = false;

			for (size_t i = 0; i < ARRAY_SIZE(owned); i++)
				mine |= str_eq(type, owned[i]);
			if (!mine)
				cJSON_AddItemToArray(ordered, cJSON_Duplicate(c, true));
		}
	}
	cJSON_Delete(old);
	strv_release(&incomplete);
	strv_release(&unready);
	buf_release(&msg);
}

/* The pod's status as this kubelet sees it, on top of `current`. */
static cJSON *build_status(const struct kpod *kp, const cJSON *current, bool terminal)
{
	cJSON *status = current ? cJSON_Duplicate(current, true) : cJSON_CreateObject();
	const char *phase = pod_phase_of(kp, terminal);
	cJSON *list;

	json_set_string(status, "phase", phase);
	json_set_string(status, "hostIP", PODNET_HOST_IP);
	list = cJSON_CreateArray();
	cJSON_AddItemToArray(list, cJSON_CreateObject());
	json_set_string(cJSON_GetArrayItem(list, 0), "ip", PODNET_HOST_IP);
	json_set(status, "hostIPs", list);
	if (kp->ip) {
		json_set_string(status, "podIP", kp->ip);
		list = cJSON_CreateArray();
		cJSON_AddItemToArray(list, cJSON_CreateObject());
		json_set_string(cJSON_GetArrayItem(list, 0), "ip", kp->ip);
		json_set(status, "podIPs", list);
	}
	json_set_string(status, "startTime", kp->start_time);
	pod_conditions(kp, status, phase);
	if (kp->n_init) {
		list = cJSON_CreateArray();
		for (size_t i = 0; i < kp->n_init; i++)
			cJSON_AddItemToArray(list, container_status(kp, &kp->c[i]));
		json_set(status, "initContainerStatuses", list);
	}
	list = cJSON_CreateArray();
	for (size_t i = kp->n_init; i < kp->n; i++)
		cJSON_AddItemToArray(list, container_status(kp, &kp->c[i]));
	json_set(status, "containerStatuses", list);
	return status;
}

struct status_write {
	const struct kpod *kp;
	bool terminal;
	const char *extra_reason;  /* status.reason (node shutdown) */
	const char *extra_message;
	const char *disruption_reason;
	const char *disruption_message;
};

static int mutate_status(cJSON *obj, void *ctx, struct api_error *err)
{
	const struct status_write *w = ctx;
	const cJSON *current = json_get(obj, "status");
	cJSON *status = build_status(w->kp, current, w->terminal);

	if (w->disruption_reason)
		k8s_set_condition(status, "conditions", "DisruptionTarget", "True", w->disruption_reason,
				  w->disruption_message, false, false);
	if (w->extra_reason) {
		json_set_string(status, "reason", w->extra_reason);
		json_set_string(status, "message", w->extra_message);
	}
	if (current && cJSON_Compare(status, current, true)) {
		cJSON_Delete(status);
		return 1;
	}
	json_set(obj, "status", status);
	return 0;
}

static void write_status(struct kubelet *k, struct kpod *kp, bool terminal)
{
	struct status_write w = { .kp = kp, .terminal = terminal };
	struct store_write_options opts = { .status = true };
	struct api_error aerr = API_ERROR_INIT;
	bool ready = true;

	if (store_mutate(k->store, RESOURCE_POD, kp->ns, kp->name, mutate_status, &w, &opts, NULL,
			 &aerr) < 0 && aerr.code != 404)
		log_warn("kubelet: pod '%s': cannot write status: %s", kp->key, aerr.message);
	for (size_t i = kp->n_init; i < kp->n; i++)
		ready &= kp->c[i].state == C_RUNNING;
	if (ready != kp->ready) {
		kp->ready = ready;
		refresh_hosts(k, kp->ns);
	}
}

/* ---------------- the sync ---------------- */

static void forget_pod(struct kubelet *k, struct kpod *kp)
{
	_cleanup_free_ char *ns = xstrdup(kp->ns);
	struct error err = ERROR_INIT;
	_cleanup_free_ char *logs = podlog_pod_dir(k->logs_dir, kp->ns, kp->name, kp->uid);

	hashmap_remove(&k->pods, kp->key);
	podnet_free(&k->net, kp->uid);
	if (remove_tree(kp->dir, &err) < 0)
		log_warn("kubelet: %s", err.msg);
	if (remove_tree(logs, &err) < 0)
		log_warn("kubelet: %s", err.msg);
	kpod_free(kp);
	refresh_hosts(k, ns);
}

static void stop_containers(struct kubelet *k, struct kpod *kp, int64_t grace_ms,
			    const struct store_obj *obj)
{
	for (size_t i = 0; i < kp->n; i++) {
		struct kcontainer *c = &kp->c[i];

		if (!c->run_id || (c->stop_grace_sent_ms >= 0 && c->stop_grace_sent_ms <= grace_ms))
			continue;
		if (c->stop_grace_sent_ms < 0 && obj) {
			_cleanup_free_ char *field = field_path(c);

			record(k, obj, field, "Normal", "Killing", "Stopping container %s", c->name);
		}
		runner_stop(k->runner, c->run_id, grace_ms, NULL);
		c->stop_grace_sent_ms = grace_ms;
	}
}

/* The pod is gone from the store: stop what runs, then forget it. */
static void pod_gone(struct kubelet *k, struct kpod *kp)
{
	kp->gone = true;
	kp->terminating = true;
	stop_containers(k, kp, 0, NULL);
	if (!any_running(kp))
		forget_pod(k, kp);
}

/* Containers that never ran when the pod ended: they will not run. */
static void settle_unstarted(struct kpod *kp)
{
	for (size_t i = 0; i < kp->n; i++) {
		struct kcontainer *c = &kp->c[i];

		if (c->state != C_WAITING || c->run_id)
			continue;
		termination_release(&c->term);
		c->term.exit_code = 137;
		c->term.reason = xstrdup("ContainerStatusUnknown");
		c->term.message = xstrdup(LOST_MESSAGE);
		c->state = C_TERMINATED;
		c->restart_at_ms = 0;
	}
}

static void requeue_for_timers(struct kubelet *k, const struct kpod *kp)
{
	int64_t now = time_mono_ms(), soonest = -1;

	for (size_t i = 0; i < kp->n; i++) {
		const struct kcontainer *c = &kp->c[i];
		int64_t at = 0;

		if (c->restart_at_ms > now)
			at = c->restart_at_ms;
		if (c->pull_stage == 1 && c->pull_stage_at_ms > now && (!at || c->pull_stage_at_ms < at))
			at = c->pull_stage_at_ms;
		if (at && (soonest < 0 || at < soonest))
			soonest = at;
	}
	if (!kp->prepared && kp->prepare_retry_at_ms > now &&
	    (soonest < 0 || kp->prepare_retry_at_ms < soonest))
		soonest = kp->prepare_retry_at_ms;
	if (soonest > 0)
		workqueue_add_after(k->queue, kp->key, soonest - now);
}

static void finalize_delete(struct kubelet *k, struct kpod *kp)
{
	struct store_delete_options opts = STORE_DELETE_OPTIONS_INIT;
	struct api_error aerr = API_ERROR_INIT;

	if (kp->finalized)
		return;
	opts.grace_period_seconds = 0;
	opts.precondition_uid = kp->uid;
	if (store_delete(k->store, RESOURCE_POD, kp->ns, kp->name, &opts, NULL, NULL, &aerr) < 0 &&
	    aerr.code != 404 && aerr.code != 409)
		log_warn("kubelet: pod '%s': cannot delete: %s", kp->key, aerr.message);
	kp->finalized = true;
}

static void sync_pod(void *ctx, const char *key)
{
	struct kubelet *k = ctx;
	struct store_obj *obj = NULL;
	struct api_error aerr = API_ERROR_INIT;
	cJSON *pod = NULL;
	struct kpod *kp;
	char ns[256];
	const char *name;

	split_key(key, ns, sizeof(ns), &name);
	pthread_mutex_lock(&k->lock);
	if (k->stopping)
		goto out;
	kp = hashmap_get(&k->pods, key);
	if (store_get(k->store, RESOURCE_POD, ns, name, &obj, &aerr) < 0) {
		if (kp)
			pod_gone(k, kp);
		goto out;
	}
	if (kp && strcmp(kp->uid, obj->uid)) {
		/* Another pod of the same name: the old one goes first. */
		pod_gone(k, kp);
		if (hashmap_get(&k->pods, key))
			goto out;
		kp = NULL;
	}
	pod = store_obj_parse(obj);
	if (!str_eq(json_get_string(pod, "spec.nodeName"), k->node))
		goto out;
	if (!kp)
		kp = kpod_new(k, key, pod);
	if (pod_is_terminal(pod) && !any_running(kp)) {
		if (k8s_is_deleting(pod))
			finalize_delete(k, kp);
		goto out;
	}
	if (k8s_is_deleting(pod) && !kp->terminating) {
		int64_t grace = 30;

		json_get_int64(pod, "metadata.deletionGracePeriodSeconds", &grace);
		kp->terminating = true;
		kp->grace_ms = grace * 1000;
	}
	if (kp->terminating) {
		stop_containers(k, kp, kp->grace_ms, obj);
		if (any_running(kp)) {
			write_status(k, kp, false);
			goto out;
		}
		settle_unstarted(kp);
		write_status(k, kp, true);
		if (k8s_is_deleting(pod))
			finalize_delete(k, kp);
		goto out;
	}
	if (!kp->prepared && prepare_pod(k, kp, pod, obj) < 0) {
		write_status(k, kp, false);
		requeue_for_timers(k, kp);
		goto out;
	}
	run_containers(k, kp, pod, obj);
	write_status(k, kp, false);
	requeue_for_timers(k, kp);
out:
	pthread_mutex_unlock(&k->lock);
	cJSON_Delete(pod);
	store_obj_unref(obj);
}

/* ---------------- events from the runner, the store, the terminator ---------------- */

static struct kcontainer *container_of_run(struct kubelet *k, uint64_t id, struct kpod **ret_pod,
					   bool remove)
{
	char text[32];
	struct run_ref *ref;
	struct kpod *kp;

	snprintf(text, sizeof(text), "%" PRIu64, id);
	ref = remove ? hashmap_remove(&k->runs, text) : hashmap_get(&k->runs, text);
	if (!ref)
		return NULL;
	kp = hashmap_get(&k->pods, ref->pod_key);
	*ret_pod = kp;
	if (remove) {
		size_t index = ref->index;

		run_ref_free(ref);
		return kp && index < kp->n && kp->c[index].run_id == id ? &kp->c[index] : NULL;
	}
	return kp && ref->index < kp->n ? &kp->c[ref->index] : NULL;
}

static void on_started(void *opaque, uint64_t id, pid_t pid, const struct timespec *at)
{
	struct kubelet *k = opaque;
	struct kpod *kp = NULL;
	struct kcontainer *c;

	pthread_mutex_lock(&k->lock);
	c = container_of_run(k, id, &kp, false);
	if (c && c->run_id == id) {
		c->state = C_RUNNING;
		time_format_rfc3339(at->tv_sec, c->started_at);
		c->started_mono_ms = time_mono_ms();
		if (!k->stopping)
			workqueue_add(k->queue, kp->key);
	}
	pthread_mutex_unlock(&k->lock);
}

static void on_exited(void *opaque, const struct runner_exit *exit)
{
	struct kubelet *k = opaque;
	struct kpod *kp = NULL;
	struct kcontainer *c;

	pthread_mutex_lock(&k->lock);
	c = container_of_run(k, exit->id, &kp, true);
	if (c) {
		struct termination *t = &c->term;

		termination_release(t);
		c->run_id = 0;
		c->state = C_TERMINATED;
		c->restart_at_ms = 0;
		c->ran_ms = c->started_mono_ms ? time_mono_ms() - c->started_mono_ms : 0;
		c->started_mono_ms = 0;
		t->exit_code = exit->exit_code;
		switch (exit->outcome) {
		case RUNNER_START_FAILED:
			t->reason = xstrdup("StartError");
			break;
		case RUNNER_LOST:
			t->reason = xstrdup("ContainerStatusUnknown");
			break;
		case RUNNER_EXITED:
			t->reason = xstrdup(exit->exit_code == 0 ? "Completed" : "Error");
			break;
		}
		t->message = xstrdup(exit->outcome == RUNNER_LOST ? LOST_MESSAGE : exit->message);
		if (exit->started_at.tv_sec)
			time_format_rfc3339(exit->started_at.tv_sec, t->started);
		time_format_rfc3339(exit->finished_at.tv_sec, t->finished);
		t->container_id = c->container_id ? xstrdup(c->container_id) : NULL;
		if (!k->stopping)
			workqueue_add(k->queue, kp->key);
	}
	pthread_mutex_unlock(&k->lock);
}

static void on_store_event(void *ctx, const struct store_event *ev)
{
	struct kubelet *k = ctx;
	const struct store_obj *obj = ev->object;
	char key[512];

	if (obj->kind == RESOURCE_SERVICE) {
		pthread_mutex_lock(&k->lock);
		if (!k->stopping)
			refresh_hosts(k, obj->namespace);
		pthread_mutex_unlock(&k->lock);
		return;
	}
	snprintf(key, sizeof(key), "%s/%s", obj->namespace, obj->name);
	workqueue_add(k->queue, key);
}

static void on_terminate(void *ctx, const struct store_obj *pod, int64_t grace_seconds)
{
	struct kubelet *k = ctx;
	char key[512];
	struct kpod *kp;

	snprintf(key, sizeof(key), "%s/%s", pod->namespace, pod->name);
	pthread_mutex_lock(&k->lock);
	kp = hashmap_get(&k->pods, key);
	if (kp && !strcmp(kp->uid, pod->uid)) {
		int64_t grace = grace_seconds * 1000;

		if (!kp->terminating || grace < kp->grace_ms)
			kp->grace_ms = grace;
		kp->terminating = true;
	}
	if (!k->stopping)
		workqueue_add(k->queue, key);
	pthread_mutex_unlock(&k->lock);
}

/* ---------------- node ---------------- */

/* v followed by a unit suffix ("Ki", "m" or ""), as a quantity string. */
static void add_quantity(cJSON *obj, const char *name, int64_t v, const char *suffix)
{
	char text[64];

	snprintf(text, sizeof(text), "%" PRId64 "%s", v, suffix);
	cJSON_AddStringToObject(obj, name, text);
}

static cJSON *node_status(const struct kubelet *k)
{
	cJSON *status = cJSON_CreateObject();
	cJSON *capacity = cJSON_AddObjectToObject(status, "capacity");
	cJSON *conditions = cJSON_AddArrayToObject(status, "conditions");
	cJSON *addresses = cJSON_AddArrayToObject(status, "addresses");
	cJSON *info = cJSON_AddObjectToObject(status, "nodeInfo");
	const char *types[][4] = {
		{ "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available" },
		{ "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure" },
		{ "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available" },
		{ "Ready", "True", "KubeletReady", "kubelet is posting ready status" },
	};
	char now[RFC3339_MAX];
	struct utsname u;

	now_rfc3339(now);
	if (k->config.cpu_milli % 1000)
		add_quantity(capacity, "cpu", k->config.cpu_milli, "m");
	else
		add_quantity(capacity, "cpu", k->config.cpu_milli / 1000, "");
	add_quantity(capacity, "memory", k->config.memory_bytes / 1024, "Ki");
	add_quantity(capacity, "pods", k->config.max_pods, "");
	add_quantity(capacity, "ephemeral-storage", (int64_t)100 * 1024 * 1024, "Ki");
	if (k->config.gpus > 0)
		add_quantity(capacity, "nvidia.com/gpu", k->config.gpus, "");
	json_set(status, "allocatable", cJSON_Duplicate(capacity, true));
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "type", types[i][0]);
		cJSON_AddStringToObject(c, "status", types[i][1]);
		cJSON_AddStringToObject(c, "lastHeartbeatTime", now);
		cJSON_AddStringToObject(c, "lastTransitionTime", now);
		cJSON_AddStringToObject(c, "reason", types[i][2]);
		cJSON_AddStringToObject(c, "message", types[i][3]);
		cJSON_AddItemToArray(conditions, c);
	}
	{
		cJSON *a = cJSON_CreateObject(), *h = cJSON_CreateObject();

		cJSON_AddStringToObject(a, "type", "InternalIP");
		cJSON_AddStringToObject(a, "address", PODNET_HOST_IP);
		cJSON_AddStringToObject(h, "type", "Hostname");
		cJSON_AddStringToObject(h, "address", k->node);
		cJSON_AddItemToArray(addresses, a);
		cJSON_AddItemToArray(addresses, h);
	}
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	cJSON_AddStringToObject(info, "architecture", "amd64");
	cJSON_AddStringToObject(info, "bootID", "");
	cJSON_AddStringToObject(info, "containerRuntimeVersion", "local://0.1.0");
	cJSON_AddStringToObject(info, "kernelVersion", u.release);
	cJSON_AddStringToObject(info, "kubeProxyVersion", "");
	cJSON_AddStringToObject(info, "kubeletVersion", "v1.32.0");
	cJSON_AddStringToObject(info, "machineID", "");
	cJSON_AddStringToObject(info, "operatingSystem", "linux");
	cJSON_AddStringToObject(info, "osImage", "konduktor local cluster");
	cJSON_AddStringToObject(info, "systemUUID", "");
	json_set_int64(json_ensure_object(status, "daemonEndpoints.kubeletEndpoint"), "Port", 10250);
	return status;
}

static int mutate_node(cJSON *obj, void *ctx, struct api_error *err)
{
	const struct kubelet *k = ctx;
	const cJSON *label;

	cJSON_ArrayForEach(label, k->node_labels)
		if (cJSON_IsString(label))
			k8s_set_label(obj, label->string, label->valuestring);
	if (cJSON_GetArraySize(k->node_taints))
		json_set(json_ensure_object(obj, "spec"), "taints", cJSON_Duplicate(k->node_taints, true));
	return 0;
}

static int register_node(struct kubelet *k, struct error *err)
{
	cJSON *node = cJSON_CreateObject();
	struct api_error aerr = API_ERROR_INIT;
	struct store_write_options status_opts = { .status = true };
	cJSON *status_obj;

	cJSON_AddStringToObject(node, "apiVersion", "v1");
	cJSON_AddStringToObject(node, "kind", "Node");
	json_set_string(json_ensure_object(node, "metadata"), "name", k->node);
	k8s_set_label(node, "kubernetes.io/hostname", k->node);
	k8s_set_label(node, "kubernetes.io/os", "linux");
	k8s_set_label(node, "kubernetes.io/arch", "amd64");
	k8s_set_label(node, "beta.kubernetes.io/os", "linux");
	k8s_set_label(node, "beta.kubernetes.io/arch", "amd64");
	k8s_set_label(node, "node-role.kubernetes.io/control-plane", "");
	mutate_node(node, k, NULL);
	if (store_create(k->store, RESOURCE_NODE, NULL, node, NULL, NULL, &aerr) < 0 &&
	    aerr.code != 409)
		return error_set(err, "cannot register node '%s': %s", k->node, aerr.message);
	/* It existed (a restart): the configured labels and taints apply. */
	if (aerr.code == 409 &&
	    store_mutate(k->store, RESOURCE_NODE, NULL, k->node, mutate_node, k, NULL, NULL, &aerr) < 0)
		return error_set(err, "cannot update node '%s': %s", k->node, aerr.message);
	status_obj = cJSON_CreateObject();
	json_set_string(json_ensure_object(status_obj, "metadata"), "name", k->node);
	json_set(status_obj, "status", node_status(k));
	if (store_update(k->store, RESOURCE_NODE, NULL, k->node, status_obj, &status_opts, NULL,
			 &aerr) < 0)
		return error_set(err, "cannot update node '%s' status: %s", k->node, aerr.message);
	return 0;
}

/* ---------------- start and stop ---------------- */

struct adopt {
	const char *reason;
	const char *message;
};

/* A pod the previous run left running: its containers are gone. */
static int mutate_orphan(cJSON *obj, void *ctx, struct api_error *err)
{
	const struct adopt *a = ctx;
	cJSON *status = json_ensure_object(obj, "status");
	const char *lists[] = { "initContainerStatuses", "containerStatuses" };
	char now[RFC3339_MAX];

	now_rfc3339(now);
	for (size_t l = 0; l < 2; l++) {
		cJSON *cs;

		cJSON_ArrayForEach(cs, cJSON_GetObjectItemCaseSensitive(status, lists[l])) {
			cJSON *state = json_ensure_object(cs, "state");
			cJSON *t;

			if (json_get(state, "terminated"))
				continue;
			if (json_get(state, "running"))
				json_set(cs, "lastState", cJSON_CreateObject());
			cJSON_DeleteItemFromObjectCaseSensitive(state, "running");
			cJSON_DeleteItemFromObjectCaseSensitive(state, "waiting");
			t = cJSON_AddObjectToObject(state, "terminated");
			cJSON_AddNumberToObject(t, "exitCode", 137);
			cJSON_AddStringToObject(t, "reason", "ContainerStatusUnknown");
			cJSON_AddStringToObject(t, "message", LOST_MESSAGE);
			cJSON_AddNullToObject(t, "startedAt");
			cJSON_AddStringToObject(t, "finishedAt", now);
			json_set(cs, "ready", cJSON_CreateFalse());
			json_set(cs, "started", cJSON_CreateFalse());
		}
	}
	json_set_string(status, "phase", "Failed");
	json_set_string(status, "reason", "Terminated");
	json_set_string(status, "message", a->message);
	k8s_set_condition(status, "conditions", "Ready", "False", "PodFailed", NULL, false, false);
	k8s_set_condition(status, "conditions", "ContainersReady", "False", "PodFailed", NULL, false,
			  false);
	k8s_set_condition(status, "conditions", "PodReadyToStartContainers", "False", NULL, NULL,
			  false, false);
	k8s_set_condition(status, "conditions", "DisruptionTarget", "True", a->reason, a->message,
			  false, false);
	return 0;
}

/* Pods this node ran before a restart (with a state directory). */
static void adopt_orphans(struct kubelet *k)
{
	struct store_list pods = STORE_LIST_INIT;
	struct api_error aerr = API_ERROR_INIT;
	struct store_write_options opts = { .status = true };
	struct adopt a = { "TerminationByKubelet", RESTART_MESSAGE };
	struct hashmap known = HASHMAP_INIT;
	struct dirent **entries = NULL;
	int n;

	if (store_list(k->store, RESOURCE_POD, NULL, NULL, &pods, &aerr) < 0)
		return;
	for (size_t i = 0; i < pods.len; i++) {
		cJSON *pod = store_obj_parse(pods.items[i]);

		if (str_eq(json_get_string(pod, "spec.nodeName"), k->node)) {
			hashmap_put(&known, pods.items[i]->uid, (void *)1);
			if (!pod_is_terminal(pod) && json_get(pod, "status.containerStatuses")) {
				struct store_delete_options del = STORE_DELETE_OPTIONS_INIT;

				store_mutate(k->store, RESOURCE_POD, pods.items[i]->namespace,
					     pods.items[i]->name, mutate_orphan, &a, &opts, NULL, NULL);
				if (k8s_is_deleting(pod)) {
					del.grace_period_seconds = 0;
					store_delete(k->store, RESOURCE_POD, pods.items[i]->namespace,
						     pods.items[i]->name, &del, NULL, NULL, NULL);
				}
			}
			if (json_get_string(pod, "status.podIP"))
				podnet_assign(&k->net, pods.items[i]->uid, json_get_string(pod, "status.podIP"));
		}
		cJSON_Delete(pod);
	}
	/* Directories of pods that no longer exist. */
	n = scandir(k->pods_dir, &entries, NULL, NULL);
	for (int i = 0; i < n; i++) {
		if (entries[i]->d_name[0] != '.' && !hashmap_get(&known, entries[i]->d_name)) {
			_cleanup_free_ char *dir = path_join(k->pods_dir, entries[i]->d_name);

			remove_tree(dir, NULL);
		}
		free(entries[i]);
	}
	free(entries);
	hashmap_release(&known);
	store_list_release(&pods);
}

struct kubelet *kubelet_new(const struct kubelet_config *config, struct error *err)
{
	struct kubelet *k = xcalloc(1, sizeof(*k));
	struct runner_events events = { on_started, on_exited, k };
	_cleanup_free_ char *run_dir = NULL;

	k->config = *config;
	k->node = xstrdup(config->node_name);
	k->data_dir = xstrdup(config->data_dir);
	k->logs_dir = xstrdup(config->logs_dir);
	k->pods_dir = path_join(config->data_dir, "pods");
	k->fail_pattern = config->fail_image_pattern ? xstrdup(config->fail_image_pattern) : NULL;
	k->node_labels = config->node_labels ? cJSON_Duplicate(config->node_labels, true) : NULL;
	k->node_taints = config->node_taints ? cJSON_Duplicate(config->node_taints, true) : NULL;
	k->config.node_name = k->node;
	k->config.data_dir = k->data_dir;
	k->config.logs_dir = k->logs_dir;
	k->config.fail_image_pattern = k->fail_pattern;
	k->config.node_labels = k->node_labels;
	k->config.node_taints = k->node_taints;
	pthread_mutex_init(&k->lock, NULL);
	hashmap_init(&k->pods);
	hashmap_init(&k->runs);
	podnet_init(&k->net);
	run_dir = path_join(config->data_dir, "runner");
	if (mkdir_parents(k->pods_dir, 0700, err) < 0 || mkdir_parents(run_dir, 0700, err) < 0 ||
	    runner_new(run_dir, &events, &k->runner, err) < 0) {
		kubelet_stop(k, 0);
		return NULL;
	}
	return k;
}

int kubelet_start(struct kubelet *k, struct store *store, struct error *err)
{
	struct store_watch_options opts = {
		.kinds = RESOURCE_BIT(RESOURCE_POD) | RESOURCE_BIT(RESOURCE_SERVICE),
		.resource_version = STORE_WATCH_FROM_LIST,
	};
	struct api_error aerr = API_ERROR_INIT;

	k->store = store;
	if (register_node(k, err) < 0)
		return -1;
	adopt_orphans(k);
	k->queue = workqueue_new("kubelet", sync_pod, k);
	store_set_pod_terminator(store, on_terminate, k);
	k->sub = store_subscribe(store, &opts, on_store_event, k, &aerr);
	if (!k->sub)
		return error_set(err, "kubelet cannot follow pods: %s", aerr.message);
	return 0;
}

static void shutdown_pods(struct kubelet *k)
{
	size_t pos = 0;
	const char *key;
	void *value;

	while (hashmap_next(&k->pods, &pos, &key, &value)) {
		struct kpod *kp = value;
		bool ran = false;
		struct store_obj *obj = NULL;
		cJSON *pod = NULL;
		struct status_write w = {
			.kp = kp,
			.terminal = true,
			.extra_reason = "Terminated",
			.extra_message = SHUTDOWN_MESSAGE,
			.disruption_reason = "TerminationByKubelet",
			.disruption_message = SHUTDOWN_MESSAGE,
		};
		struct store_write_options opts = { .status = true };

		for (size_t i = 0; i < kp->n; i++)
			ran |= kp->c[i].state != C_WAITING || kp->c[i].has_last;
		if (!ran || kp->gone ||
		    store_get(k->store, RESOURCE_POD, kp->ns, kp->name, &obj, NULL) < 0)
			continue;
		pod = store_obj_parse(obj);
		if (!pod_is_terminal(pod) && !strcmp(obj->uid, kp->uid)) {
			settle_unstarted(kp);
			store_mutate(k->store, RESOURCE_POD, kp->ns, kp->name, mutate_status, &w, &opts,
				     NULL, NULL);
		}
		cJSON_Delete(pod);
		store_obj_unref(obj);
	}
}

void kubelet_stop(struct kubelet *k, int64_t grace_ms)
{
	if (!k)
		return;
	if (k->store)
		store_set_pod_terminator(k->store, NULL, NULL);
	store_unsubscribe(k->sub);
	pthread_mutex_lock(&k->lock);
	k->stopping = true;
	pthread_mutex_unlock(&k->lock);
	workqueue_free(k->queue);
	/* Every container gets SIGTERM, then SIGKILL; their exits are recorded. */
	runner_free(k->runner, grace_ms);
	if (k->store)
		shutdown_pods(k);
	hashmap_release_with(&k->pods, kpod_free);
	hashmap_release_with(&k->runs, run_ref_free);
	podnet_release(&k->net);
	pthread_mutex_destroy(&k->lock);
	cJSON_Delete(k->node_labels);
	cJSON_Delete(k->node_taints);
	free(k->fail_pattern);
	free(k->node);
	free(k->data_dir);
	free(k->logs_dir);
	free(k->pods_dir);
	free(k);
}
