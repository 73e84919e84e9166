"""The runtime across restarts and failures: a JobSet recreating its Jobs
under failurePolicy.maxRestarts; the cluster stopping (graceful node
shutdown) and crashing (SIGKILL) with a state directory, after which the
pods that were running are failed and their Job replaces them."""
from localcluster import wait_for
from podtools import (FAST, PODS, condition, container_status, create_job, get_job, job,
                      job_pods, marker, processes_with)

JOBSETS = "/apis/jobset.x-k8s.io/v1alpha2/namespaces/default/jobsets"


def test_jobset_restarts_all_jobs_with_the_next_attempt(cluster_factory):
    c = cluster_factory(args=FAST)
    attempt = {"fieldRef": {"fieldPath": "metadata.annotations['jobset.sigs.k8s.io/restart-attempt']"}}
    jobset = {
        "apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet",
        "metadata": {"name": "retry"},
        "spec": {
            "failurePolicy": {"maxRestarts": 2},
            "replicatedJobs": [{
                "name": "w", "replicas": 2,
                "template": {"spec": {"completions": 1, "backoffLimit": 0, "template": {"spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "main", "image": "busybox",
                                    "command": ["/bin/sh", "-c", 'echo attempt=$ATTEMPT; [ "$ATTEMPT" != 0 ]'],
                                    "env": [{"name": "ATTEMPT", "valueFrom": attempt}]}]}}}}}]},
    }
    c.api("POST", JOBSETS, jobset)

    def finished():
        js = c.api("GET", f"{JOBSETS}/retry")
        for cond in js.get("status", {}).get("conditions", []):
            if cond["type"] in ("Completed", "Failed") and cond["status"] == "True":
                return js
        return None

    js = wait_for(finished, timeout=90, what="the JobSet to finish")
    assert condition(js, "Completed")["status"] == "True"
    assert js["status"]["restarts"] == 1
    for i in range(2):
        child = c.api("GET", f"/apis/batch/v1/namespaces/default/jobs/retry-w-{i}")
        assert child["metadata"]["labels"]["jobset.sigs.k8s.io/restart-attempt"] == "1"
        assert child["metadata"]["labels"]["jobset.sigs.k8s.io/job-index"] == str(i)
        assert child["metadata"]["labels"]["jobset.sigs.k8s.io/global-replicas"] == "2"
    events = [e for e in c.api("GET", "/api/v1/namespaces/default/events")["items"]
              if e["involvedObject"]["name"] == "retry"]
    assert any(e["reason"] == "Restarting" and e["message"] == "restarting jobset, attempt 1"
               for e in events)
    assert any(e["reason"] == "AllJobsCompleted" for e in events)


def running_pod(c, job_name, mark):
    def check():
        pods = [p for p in job_pods(c, job_name) if p["status"].get("phase") == "Running"]
        return pods[0] if pods and processes_with(f"sleep {mark}") else None
    return wait_for(check, what=f"a running pod of {job_name}")


def test_shutdown_stops_pods_and_restart_replaces_them(cluster_factory):
    c = cluster_factory(state_dir=True, args=FAST)
    mark = marker()
    create_job(c, job("long", ["/bin/sh", "-c", f"exec sleep {mark}"], backoffLimit=3, grace=30))
    first = running_pod(c, "long", mark)
    c.stop()  # SIGTERM: a graceful node shutdown (the pod ignores SIGTERM: 2s grace)
    assert processes_with(f"sleep {mark}") == []
    c.start()
    old = c.api("GET", f"{PODS}/{first['metadata']['name']}")
    assert old["status"]["phase"] == "Failed"
    disruption = condition(old, "DisruptionTarget")
    assert (disruption["status"], disruption["reason"]) == ("True", "TerminationByKubelet")
    assert disruption["message"] == "Pod was terminated in response to imminent node shutdown."
    assert old["status"]["reason"] == "Terminated"
    assert container_status(old)["state"]["terminated"]["exitCode"] == 137
    # The Job counts the failure and runs a new pod.
    replacement = running_pod(c, "long", mark)
    assert replacement["metadata"]["name"] != first["metadata"]["name"]
    assert get_job(c, "long")["status"]["failed"] == 1
    c.api("DELETE", "/apis/batch/v1/namespaces/default/jobs/long?propagationPolicy=Background")


def test_crash_kills_pods_and_restart_marks_them_failed(cluster_factory):
    c = cluster_factory(state_dir=True, args=FAST)
    mark = marker()
    create_job(c, job("crashy", ["/bin/sh", "-c", f"exec sleep {mark}"], backoffLimit=3, grace=1))
    first = running_pod(c, "crashy", mark)
    c.kill()  # SIGKILL: the runner and the containers die with the server
    wait_for(lambda: processes_with(f"sleep {mark}") == [], what="the orphaned process to die")
    c.start()
    old = c.api("GET", f"{PODS}/{first['metadata']['name']}")
    assert old["status"]["phase"] == "Failed"
    term = container_status(old)["state"]["terminated"]
    assert (term["exitCode"], term["reason"]) == (137, "ContainerStatusUnknown")
    assert term["message"] == "The container could not be located when the pod was terminated"
    disruption = condition(old, "DisruptionTarget")
    assert disruption["message"] == "Pod was terminated because the local cluster restarted."
    running_pod(c, "crashy", mark)
    done = get_job(c, "crashy")
    assert done["status"]["failed"] == 1 and done["status"]["active"] == 1
    c.api("DELETE", "/apis/batch/v1/namespaces/default/jobs/crashy?propagationPolicy=Background")
