"""The local cluster's REST semantics over raw HTTP: discovery, Status
bodies, create/update/patch/delete with their query parameters, list
paging and selectors, watch resourceVersion semantics and bookmarks,
garbage collection through the API."""
import json

import pytest

from localcluster import api_schema_dir, quote, wait_for

CM = "/api/v1/namespaces/default/configmaps"
JOBS = "/apis/batch/v1/namespaces/default/jobs"


def job(name, **spec):
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                {"name": "main", "image": "busybox", "command": ["true"]}]}}}}
    body["spec"].update(spec)
    return body


def test_discovery_documents(cluster):
    version = cluster.api("GET", "/version")
    assert version["major"] == "1" and version["gitVersion"].startswith("v1.32.")
    assert cluster.api("GET", "/api")["versions"] == ["v1"]
    groups = {g["name"]: g for g in cluster.api("GET", "/apis")["groups"]}
    assert groups["batch"]["preferredVersion"]["groupVersion"] == "batch/v1"
    assert groups["jobset.x-k8s.io"]["versions"][0]["version"] == "v1alpha2"
    core = {r["name"]: r for r in cluster.api("GET", "/api/v1")["resources"]}
    assert set(core) >= {"pods", "pods/status", "pods/log", "pods/binding", "configmaps",
                         "secrets", "services", "events", "nodes", "namespaces"}
    assert core["pods"]["shortNames"] == ["po"] and core["pods"]["categories"] == ["all"]
    assert core["pods/log"]["verbs"] == ["get"]
    assert core["nodes"]["namespaced"] is False
    assert "watch" in core["configmaps"]["verbs"]
    status, _, body = cluster.request("GET", "/healthz")
    assert (status, body) == (200, b"ok")
    assert cluster.request("GET", "/readyz")[0] == 200
    index = cluster.api("GET", "/openapi/v3")["paths"]
    doc = cluster.api("GET", index["apis/batch/v1"]["serverRelativeURL"])
    patch = doc["paths"]["/apis/batch/v1/namespaces/{namespace}/jobs/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"]["kind"] == "Job"
    assert {"name": "fieldValidation", "in": "query"}.items() <= \
        next(p for p in patch["parameters"] if p["name"] == "fieldValidation").items()


def test_unknown_paths_and_methods(cluster):
    status, _, body = cluster.request("GET", "/apis/nope/v1/things")
    assert status == 404
    assert json.loads(body)["message"] == "the server could not find the requested resource"
    status, _, body = cluster.request("PUT", CM, {"metadata": {"name": "x"}})
    assert status == 405
    assert json.loads(body)["reason"] == "MethodNotAllowed"
    status, _, body = cluster.request("POST", CM, "not json",
                                      {"Content-Type": "application/json"})
    assert status == 400
    assert json.loads(body)["message"].startswith("couldn't get version/kind; json parse error")
    status, _, body = cluster.request("POST", JOBS, b"k8s\x00", {
        "Content-Type": "application/vnd.kubernetes.protobuf"})
    assert status == 415  # no protobuf description for Jobs
    status, _, body = cluster.request("POST", CM, b"\x00k8s", {
        "Content-Type": "application/vnd.kubernetes.protobuf"})
    assert status == 400
    assert json.loads(body)["message"] == "protobuf body without the k8s envelope"
    status, _, _ = cluster.request("POST", CM, "x" * (3 * 1024 * 1024 + 10),
                                   {"Content-Type": "application/json"})
    assert status == 413


def test_status_body_shapes(cluster):
    status, _, body = cluster.request("GET", JOBS + "/missing")
    assert status == 404
    assert json.loads(body) == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'jobs.batch "missing" not found', "reason": "NotFound",
        "details": {"name": "missing", "group": "batch", "kind": "jobs"}, "code": 404}
    bad = job("bad")
    bad["spec"]["template"]["spec"]["containers"][0]["name"] = "Main"
    status, _, body = cluster.request("POST", JOBS, bad)
    assert status == 422
    s = json.loads(body)
    assert s["reason"] == "Invalid" and s["code"] == 422
    assert s["details"]["kind"] == "Job" and s["details"]["group"] == "batch"
    assert s["details"]["causes"] == [{
        "reason": "FieldValueInvalid",
        "message": s["details"]["causes"][0]["message"],
        "field": "spec.template.spec.containers[0].name"}]
    assert s["message"].startswith('Job.batch "bad" is invalid: spec.template.spec.'
                                   'containers[0].name: Invalid value: "Main": a lowercase '
                                   'RFC 1123 label must consist of')


def test_body_kind_must_match_the_url(cluster):
    status, _, body = cluster.request("POST", CM, {"apiVersion": "v1", "kind": "Secret",
                                                  "metadata": {"name": "x"}})
    assert status == 400
    assert json.loads(body)["message"] == \
        "the kind in the data (Secret) does not match the expected kind (ConfigMap)"
    # Without apiVersion/kind the URL's are taken.
    created = cluster.api("POST", CM, {"metadata": {"name": "bare"}}, expect=201)
    assert (created["apiVersion"], created["kind"]) == ("v1", "ConfigMap")


def test_generate_name_and_dry_run(cluster):
    made = cluster.api("POST", CM, {"metadata": {"generateName": "gen-"}}, expect=201)
    assert made["metadata"]["name"].startswith("gen-") and len(made["metadata"]["name"]) == 9
    rv_before = cluster.api("GET", CM)["metadata"]["resourceVersion"]
    preview = cluster.api("POST", CM + "?dryRun=All", {"metadata": {"name": "dry"}}, expect=201)
    assert preview["metadata"]["name"] == "dry" and preview["metadata"]["uid"]
    assert cluster.request("GET", CM + "/dry")[0] == 404
    assert cluster.api("GET", CM)["metadata"]["resourceVersion"] == rv_before
    status, _, body = cluster.request("POST", CM + "?dryRun=Some", {"metadata": {"name": "d"}})
    assert status == 400


def test_resource_versions_increase_and_conflict(cluster):
    a = cluster.api("POST", CM, {"metadata": {"name": "a"}}, expect=201)
    b = cluster.api("POST", CM, {"metadata": {"name": "b"}}, expect=201)
    assert int(b["metadata"]["resourceVersion"]) == int(a["metadata"]["resourceVersion"]) + 1
    a["data"] = {"x": "1"}
    updated = cluster.api("PUT", CM + "/a", a)
    assert int(updated["metadata"]["resourceVersion"]) > int(b["metadata"]["resourceVersion"])
    status, _, body = cluster.request("PUT", CM + "/a", a)  # a's version is stale now
    assert status == 409
    assert json.loads(body)["message"] == (
        'Operation cannot be fulfilled on configmaps "a": the object has been modified; '
        'please apply your changes to the latest version and try again')


def test_patch_types(cluster):
    cluster.api("POST", CM, {"metadata": {"name": "p", "labels": {"a": "1"}},
                             "data": {"k": "v"}}, expect=201)
    merged = cluster.api("PATCH", CM + "/p", {"metadata": {"labels": {"b": "2", "a": None}}},
                         {"Content-Type": "application/merge-patch+json"})
    assert merged["metadata"]["labels"] == {"b": "2"}
    jp = cluster.api("PATCH", CM + "/p",
                     [{"op": "test", "path": "/data/k", "value": "v"},
                      {"op": "add", "path": "/data/new", "value": "n"}],
                     {"Content-Type": "application/json-patch+json"})
    assert jp["data"] == {"k": "v", "new": "n"}
    status, _, body = cluster.request("PATCH", CM + "/p",
                                      [{"op": "test", "path": "/data/k", "value": "other"}],
                                      {"Content-Type": "application/json-patch+json"})
    assert status == 422
    status, _, _ = cluster.request("PATCH", CM + "/p", {"data": {}},
                                   {"Content-Type": "text/plain"})
    assert status == 415


def test_status_subresource_over_http(cluster):
    cluster.api("POST", JOBS, job("s"), expect=201)
    out = cluster.api("PATCH", JOBS + "/s/status", {"status": {"active": 1},
                                                    "spec": {"parallelism": 9}},
                      {"Content-Type": "application/merge-patch+json"})
    assert out["status"]["active"] == 1 and out["spec"]["parallelism"] == 1
    status, _, _ = cluster.request("GET", CM + "/x/status")
    assert status == 404  # ConfigMaps have no status subresource


def test_list_paging_and_selectors(cluster):
    for i in range(7):
        cluster.api("POST", CM, {"metadata": {"name": f"cm-{i}",
                                              "labels": {"n": str(i), "odd": str(i % 2)}}},
                    expect=201)
    page = cluster.api("GET", CM + "?limit=3")
    assert [i["metadata"]["name"] for i in page["items"]] == ["cm-0", "cm-1", "cm-2"]
    assert page["metadata"]["remainingItemCount"] == 4
    names = [i["metadata"]["name"] for i in page["items"]]
    while page["metadata"].get("continue"):
        page = cluster.api("GET", CM + "?limit=3&continue=" + quote(page["metadata"]["continue"]))
        names += [i["metadata"]["name"] for i in page["items"]]
    assert names == [f"cm-{i}" for i in range(7)]
    sel = cluster.api("GET", CM + "?labelSelector=" + quote("odd=1,n notin (3)"))
    assert [i["metadata"]["name"] for i in sel["items"]] == ["cm-1", "cm-5"]
    sel = cluster.api("GET", CM + "?labelSelector=" + quote("!odd"))
    assert sel["items"] == []
    by_name = cluster.api("GET", CM + "?fieldSelector=metadata.name%3Dcm-4")
    assert [i["metadata"]["name"] for i in by_name["items"]] == ["cm-4"]
    status, _, body = cluster.request("GET", CM + "?fieldSelector=data.k%3D1")
    assert status == 400
    assert json.loads(body)["message"] == "field label not supported: data.k"
    everywhere = cluster.api("GET", "/api/v1/configmaps")
    assert len(everywhere["items"]) == 7


def test_watch_resource_version_semantics(cluster):
    cluster.api("POST", CM, {"metadata": {"name": "before"}}, expect=201)
    rv = cluster.api("GET", CM)["metadata"]["resourceVersion"]
    cluster.api("POST", CM, {"metadata": {"name": "after"}}, expect=201)

    # Unset (and "0"): the current objects as ADDED first.
    with cluster.watch(CM + "?timeoutSeconds=1") as w:
        names = [e["object"]["metadata"]["name"] for e in w]
    assert names == ["after", "before"]
    # From a list's version: only what came after.
    with cluster.watch(CM + f"?resourceVersion={rv}&timeoutSeconds=1") as w:
        events = list(w)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "after")]
    # Too old: an ERROR event carrying 410 Expired.
    cluster.expire_history()
    with cluster.watch(CM + f"?resourceVersion={rv}") as w:
        assert w.status == 200
        events = list(w)
    assert len(events) == 1 and events[0]["type"] == "ERROR"
    assert events[0]["object"]["code"] == 410 and events[0]["object"]["reason"] == "Expired"


def test_watch_label_selector_and_deletion(cluster):
    rv = cluster.api("GET", CM)["metadata"]["resourceVersion"]
    with cluster.watch(CM + f"?resourceVersion={rv}&labelSelector=app%3Dweb") as w:
        cluster.api("POST", CM, {"metadata": {"name": "db", "labels": {"app": "db"}}}, expect=201)
        cluster.api("POST", CM, {"metadata": {"name": "web", "labels": {"app": "web"}}},
                    expect=201)
        cluster.api("DELETE", CM + "/web")
        seen = [(w.next()["type"]), w.next()["type"]]
        assert seen == ["ADDED", "DELETED"]


def test_watch_bookmarks(cluster_factory):
    c = cluster_factory(args=["--bookmark-interval", "1"])
    c.api("POST", CM, {"metadata": {"name": "x"}}, expect=201)
    rv = c.api("GET", CM)["metadata"]["resourceVersion"]
    with c.watch(CM + f"?resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=10") as w:
        event = w.next()
    assert event["type"] == "BOOKMARK"
    assert event["object"]["kind"] == "ConfigMap"
    assert event["object"]["metadata"]["resourceVersion"] == rv


def test_hundreds_of_concurrent_watches(cluster):
    """Watches hold a thread each but never the pool: 200 at once all see
    the same event, and ordinary requests still get answers."""
    rv = cluster.api("GET", CM)["metadata"]["resourceVersion"]
    streams = [cluster.watch(CM + f"?resourceVersion={rv}&timeoutSeconds=60")
               for _ in range(200)]
    try:
        assert cluster.stats()["watches"] >= 200
        cluster.api("POST", CM, {"metadata": {"name": "hello"}}, expect=201)
        for s in streams:
            assert s.next()["object"]["metadata"]["name"] == "hello"
    finally:
        for s in streams:
            s.close()
    wait_for(lambda: cluster.stats()["watches"] == 0, what="watches to close with the clients")


def test_delete_propagation_and_gc(cluster):
    owner = cluster.api("POST", JOBS, job("owner"), expect=201)
    ref = {"apiVersion": "batch/v1", "kind": "Job", "name": "owner",
           "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}
    cluster.api("POST", CM, {"metadata": {"name": "dep", "ownerReferences": [ref]}}, expect=201)

    # A Job deleted without a policy orphans (with the real server's warning).
    status, headers, body = cluster.request("DELETE", JOBS + "/owner")
    assert status == 202
    assert "child pods are preserved by default" in headers["warning"]
    assert json.loads(body)["metadata"]["finalizers"] == ["orphan"]
    wait_for(lambda: cluster.request("GET", JOBS + "/owner")[0] == 404, what="job gone")
    wait_for(lambda: "ownerReferences" not in cluster.api("GET", CM + "/dep")["metadata"],
             what="owner reference removed")

    owner = cluster.api("POST", JOBS, job("owner2"), expect=201)
    ref["uid"], ref["name"] = owner["metadata"]["uid"], "owner2"
    cluster.api("POST", CM, {"metadata": {"name": "dep2", "ownerReferences": [ref]}}, expect=201)
    status, _, _ = cluster.request("DELETE", JOBS + "/owner2?propagationPolicy=Background")
    assert status == 200
    wait_for(lambda: cluster.request("GET", CM + "/dep2")[0] == 404, what="dependent collected")

    owner = cluster.api("POST", JOBS, job("owner3"), expect=201)
    ref["uid"], ref["name"] = owner["metadata"]["uid"], "owner3"
    cluster.api("POST", CM, {"metadata": {"name": "dep3", "ownerReferences": [ref]}}, expect=201)
    status, _, body = cluster.request("DELETE", JOBS + "/owner3",
                                      {"kind": "DeleteOptions", "apiVersion": "v1",
                                       "propagationPolicy": "Foreground"})
    assert status == 202
    assert "foregroundDeletion" in json.loads(body)["metadata"]["finalizers"]
    wait_for(lambda: cluster.request("GET", JOBS + "/owner3")[0] == 404, what="owner gone")
    assert cluster.request("GET", CM + "/dep3")[0] == 404


def test_delete_preconditions_and_collection(cluster):
    cm = cluster.api("POST", CM, {"metadata": {"name": "x", "labels": {"g": "1"}}}, expect=201)
    status, _, body = cluster.request("DELETE", CM + "/x", {"preconditions": {"uid": "nope"}})
    assert status == 409
    assert "Precondition failed: UID in precondition: nope" in json.loads(body)["message"]
    cluster.api("POST", CM, {"metadata": {"name": "y", "labels": {"g": "1"}}}, expect=201)
    cluster.api("POST", CM, {"metadata": {"name": "z", "labels": {"g": "2"}}}, expect=201)
    gone = cluster.api("DELETE", CM + "?labelSelector=g%3D1")
    assert sorted(i["metadata"]["name"] for i in gone["items"]) == ["x", "y"]
    assert [i["metadata"]["name"] for i in cluster.api("GET", CM)["items"]] == ["z"]
    assert cm["metadata"]["uid"]


def test_namespaces(cluster):
    cluster.api("POST", "/api/v1/namespaces", {"metadata": {"name": "team"}}, expect=201)
    cluster.api("POST", "/api/v1/namespaces/team/configmaps", {"metadata": {"name": "c"}},
                expect=201)
    status, _, body = cluster.request("POST", "/api/v1/namespaces/nope/configmaps",
                                      {"metadata": {"name": "c"}})
    assert status == 404 and json.loads(body)["message"] == 'namespaces "nope" not found'
    ns = cluster.api("DELETE", "/api/v1/namespaces/team")
    assert ns["status"]["phase"] == "Terminating"
    wait_for(lambda: cluster.request("GET", "/api/v1/namespaces/team")[0] == 404,
             what="namespace removed")
    assert cluster.request("GET", "/api/v1/namespaces/team/configmaps/c")[0] == 404


def test_pod_binding(cluster):
    pods = "/api/v1/namespaces/default/pods"
    # Another scheduler's pod: the cluster's own scheduler leaves it alone.
    cluster.api("POST", pods, {"metadata": {"name": "p"}, "spec": {
        "schedulerName": "test-scheduler", "containers": [
            {"name": "c", "image": "busybox", "command": ["true"]}]}}, expect=201)
    out = cluster.api("POST", pods + "/p/binding", {"apiVersion": "v1", "kind": "Binding",
                                                   "metadata": {"name": "p"},
                                                   "target": {"kind": "Node", "name": "local"}},
                      expect=201)
    assert out["status"] == "Success"
    pod = cluster.api("GET", pods + "/p")
    assert pod["spec"]["nodeName"] == "local"
    # (The kubelet adds its own conditions once the pod is bound.)
    assert {"PodScheduled": "True"}.items() <= {
        c["type"]: c["status"] for c in pod["status"]["conditions"]}.items()
    unbound = cluster.api("GET", pods + "?fieldSelector=" + quote("spec.nodeName="))
    assert "p" not in [i["metadata"]["name"] for i in unbound["items"]]


@pytest.mark.skipif(not api_schema_dir(), reason="../shared/k8s-api is not present")
def test_field_validation_modes(cluster):
    body = {"metadata": {"name": "f"}, "data": {"a": "b"}, "bogus": 1}
    status, _, out = cluster.request("POST", CM + "?fieldValidation=Strict", body)
    assert status == 400
    assert json.loads(out)["message"] == ('ConfigMap in version "v1" cannot be handled as a '
                                          'ConfigMap: strict decoding error: unknown field '
                                          '"bogus"')
    status, headers, out = cluster.request("POST", CM + "?fieldValidation=Warn", body)
    assert status == 201 and headers["warning"] == '299 - "unknown field \\"bogus\\""'
    assert "bogus" not in json.loads(out)
    body["metadata"]["name"] = "g"
    status, headers, _ = cluster.request("POST", CM + "?fieldValidation=Ignore", body)
    assert status == 201 and "warning" not in headers
    dup = '{"metadata":{"name":"d","name":"e"}}'
    status, _, out = cluster.request("POST", CM + "?fieldValidation=Strict", dup,
                                     {"Content-Type": "application/json"})
    assert status == 400
    assert 'duplicate field "metadata.name"' in json.loads(out)["message"]
    wrong = job("w")
    wrong["spec"]["completions"] = "three"
    status, _, out = cluster.request("POST", JOBS, wrong)
    assert status == 400
    assert json.loads(out)["message"] == (
        'Job in version "v1" cannot be handled as a Job: json: cannot unmarshal string into '
        'Go struct field JobSpec.spec.completions of type int32')


@pytest.mark.skipif(not api_schema_dir(), reason="../shared/k8s-api is not present")
def test_jobset_schema_validation(cluster):
    jobsets = "/apis/jobset.x-k8s.io/v1alpha2/namespaces/default/jobsets"
    js = {"apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet",
          "metadata": {"name": "js"},
          "spec": {"replicatedJobs": [{"name": "workers", "replicas": 2, "template": {
              "spec": {"template": {"spec": {"containers": [
                  {"name": "main", "image": "busybox"}]}}}}}]}}
    made = cluster.api("POST", jobsets + "?fieldValidation=Strict", js, expect=201)
    rjob = made["spec"]["replicatedJobs"][0]
    assert rjob["template"]["spec"]["completionMode"] == "Indexed"
    assert made["spec"]["successPolicy"]["operator"] == "All"
    js["metadata"]["name"] = "js2"
    js["spec"]["replicatedJobs"][0]["replicas"] = "two"
    status, _, out = cluster.request("POST", jobsets, js)
    assert status == 422
    s = json.loads(out)
    assert s["reason"] == "Invalid"
    assert s["details"]["causes"][0]["field"] == "spec.replicatedJobs[0].replicas"
    js["spec"]["replicatedJobs"][0]["replicas"] = 1
    js["spec"]["successPolicy"] = {"operator": "Most"}
    status, _, out = cluster.request("POST", jobsets, js)
    assert status == 422
    assert 'Unsupported value: "Most"' in json.loads(out)["message"]
    status, _, out = cluster.request("PATCH", jobsets + "/js", {"spec": {}},
                                     {"Content-Type": "application/strategic-merge-patch+json"})
    assert status == 415


def test_secrets_and_services(cluster):
    secret = cluster.api("POST", "/api/v1/namespaces/default/secrets",
                         {"metadata": {"name": "s"}, "stringData": {"token": "abc"}},
                         expect=201)
    assert secret["data"] == {"token": "YWJj"} and secret["type"] == "Opaque"
    svc = cluster.api("POST", "/api/v1/namespaces/default/services",
                      {"metadata": {"name": "workers"},
                       "spec": {"clusterIP": "None", "selector": {"app": "w"}}}, expect=201)
    assert svc["spec"]["clusterIP"] == "None" and svc["spec"]["type"] == "ClusterIP"
    svc = cluster.api("POST", "/api/v1/namespaces/default/services",
                      {"metadata": {"name": "web"},
                       "spec": {"ports": [{"port": 80}], "selector": {"app": "w"}}}, expect=201)
    assert svc["spec"]["clusterIP"].startswith("10.")
    assert svc["spec"]["ports"][0] == {"port": 80, "protocol": "TCP", "targetPort": 80}
