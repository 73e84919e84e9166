"""The Job controller with real processes: parallelism as the processes
see it, per-index retries and the failure-count annotation,
maxFailedIndexes stopping the other pods, activeDeadlineSeconds, TTL
deletion, podFailurePolicy (FailJob and Ignore), suspend and resume."""
from localcluster import wait_for
from podtools import (FAST, JOBS, condition, container, create_job, get_job, job, job_pods,
                      marker, pod_log, processes_with, wait_finished, wait_gone, wait_job)


def test_indexed_job_never_runs_more_than_parallelism(cluster_factory, tmp_path):
    c = cluster_factory(args=FAST)
    trace = tmp_path / "trace"
    trace.write_text("")
    script = (f'echo "start $JOB_COMPLETION_INDEX" >> {trace}; sleep 0.4; '
              f'echo "end $JOB_COMPLETION_INDEX" >> {trace}')
    create_job(c, job("par", ["/bin/sh", "-c", script], completions=5, parallelism=2,
                      indexed=True))
    done = wait_job(c, "par", "Complete")
    assert done["status"]["succeeded"] == 5
    assert done["status"]["completedIndexes"] == "0-4"
    # The processes' own record, in the order they appended to it.
    running = most = 0
    started = set()
    for line in trace.read_text().splitlines():
        what, index = line.split()
        if what == "start":
            running += 1
            started.add(index)
        else:
            running -= 1
        most = max(most, running)
    assert started == {"0", "1", "2", "3", "4"}
    assert most == 2


def test_per_index_retries_carry_the_failure_count(cluster_factory):
    c = cluster_factory(args=FAST)
    failures = {"name": "FAILURES", "valueFrom": {"fieldRef": {
        "fieldPath": "metadata.annotations['batch.kubernetes.io/job-index-failure-count']"}}}
    script = 'echo "index=$JOB_COMPLETION_INDEX failures=$FAILURES"; [ "$JOB_COMPLETION_INDEX" = 0 ]'
    create_job(c, job("retry", completions=2, parallelism=2, indexed=True,
                      backoffLimitPerIndex=1,
                      containers=[container(["/bin/sh", "-c", script], env=[failures])]))
    done = wait_job(c, "retry", "Failed")
    st = done["status"]
    assert st["failedIndexes"] == "1"
    assert st["completedIndexes"] == "0"
    assert st["succeeded"] == 1 and st["failed"] == 2
    assert condition(done, "FailureTarget")["reason"] == "FailedIndexes"
    failed = condition(done, "Failed")
    assert (failed["reason"], failed["message"]) == ("FailedIndexes", "Job has failed indexes")
    index1 = [p for p in job_pods(c, "retry")
              if p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] == "1"]
    counts = sorted(p["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"]
                    for p in index1)
    assert counts == ["0", "1"]
    for p in index1:
        count = p["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"]
        assert pod_log(c, p["metadata"]["name"]) == f"index=1 failures={count}\n"
        assert p["status"]["phase"] == "Failed"
        assert p["metadata"]["name"].startswith("retry-1-")
        assert p["spec"]["hostname"] == "retry-1"


def test_max_failed_indexes_fails_the_job_and_stops_its_pods(cluster_factory):
    c = cluster_factory(args=FAST)
    mark = marker()
    script = f'[ "$JOB_COMPLETION_INDEX" = 0 ] && exit 3; exec sleep {mark}'
    create_job(c, job("maxfail", ["/bin/sh", "-c", script], completions=4, parallelism=4,
                      indexed=True, backoffLimitPerIndex=0, maxFailedIndexes=0, grace=1))
    done = wait_job(c, "maxfail", "Failed")
    failed = condition(done, "Failed")
    assert failed["reason"] == "MaxFailedIndexesExceeded"
    assert failed["message"] == "Job has exceeded the specified maximal number of failed indexes"
    assert done["status"]["failedIndexes"] == "0"
    assert done["status"]["failed"] == 4
    assert done["status"].get("active", 0) == 0
    # Failed only once its pods stopped: no sleeper is left on the machine.
    assert processes_with(f"sleep {mark}") == []
    for p in job_pods(c, "maxfail"):
        assert p["status"]["phase"] in ("Failed", "Succeeded")


def test_active_deadline_stops_the_job(cluster_factory):
    c = cluster_factory(args=FAST)
    mark = marker()
    create_job(c, job("deadline", ["/bin/sh", "-c", f"exec sleep {mark}"], grace=1,
                      activeDeadlineSeconds=1))
    wait_for(lambda: processes_with(f"sleep {mark}"), what="the pod's process")
    done = wait_job(c, "deadline", "Failed")
    failed = condition(done, "Failed")
    assert (failed["reason"], failed["message"]) == (
        "DeadlineExceeded", "Job was active longer than specified deadline")
    assert processes_with(f"sleep {mark}") == []


def test_ttl_after_finished_deletes_job_and_pods(cluster_factory):
    c = cluster_factory(args=FAST)
    create_job(c, job("ttl", ["true"], ttlSecondsAfterFinished=1))
    wait_job(c, "ttl", "Complete")
    wait_gone(c, f"{JOBS}/ttl")
    wait_for(lambda: job_pods(c, "ttl") == [], what="the Job's pods to be collected")


def test_pod_failure_policy_fail_job(cluster_factory):
    c = cluster_factory(args=FAST)
    policy = {"rules": [{"action": "FailJob",
                         "onExitCodes": {"containerName": "main", "operator": "In",
                                         "values": [42]}}]}
    create_job(c, job("pfp", ["/bin/sh", "-c", "exit 42"], backoffLimit=6,
                      podFailurePolicy=policy))
    done = wait_job(c, "pfp", "Failed")
    (p,) = job_pods(c, "pfp")
    failed = condition(done, "Failed")
    assert failed["reason"] == "PodFailurePolicy"
    assert failed["message"] == (f"Container main for pod default/{p['metadata']['name']} "
                                 "failed with exit code 42 matching FailJob rule at index 0")
    assert done["status"]["failed"] == 1


def test_pod_failure_policy_ignore_does_not_count(cluster_factory, tmp_path):
    c = cluster_factory(args=FAST)
    seen = tmp_path / "seen"
    script = f"if [ -e {seen} ]; then exit 0; fi; touch {seen}; exit 7"
    policy = {"rules": [{"action": "Ignore",
                         "onExitCodes": {"operator": "In", "values": [7]}}]}
    create_job(c, job("ignore", ["/bin/sh", "-c", script], backoffLimit=0,
                      podFailurePolicy=policy))
    done = wait_finished(c, "ignore")
    assert condition(done, "Complete")["status"] == "True"
    assert done["status"].get("failed", 0) == 0
    phases = sorted(p["status"]["phase"] for p in job_pods(c, "ignore"))
    assert phases == ["Failed", "Succeeded"]


def test_suspend_then_resume(cluster_factory):
    c = cluster_factory(args=FAST)
    create_job(c, job("later", ["true"], suspend=True))
    suspended = wait_job(c, "later", "Suspended")
    assert condition(suspended, "Suspended")["reason"] == "JobSuspended"
    assert "startTime" not in suspended["status"]
    assert job_pods(c, "later") == []
    c.api("PATCH", f"{JOBS}/later", {"spec": {"suspend": False}},
          headers={"Content-Type": "application/merge-patch+json"})
    done = wait_job(c, "later", "Complete")
    resumed = condition(done, "Suspended")
    assert (resumed["status"], resumed["reason"], resumed["message"]) == (
        "False", "JobResumed", "Job resumed")
    assert get_job(c, "later")["status"]["succeeded"] == 1
