"""Many requests at once: a bounded number in flight (observed by the
server), a result per item (successes next to 422s and 409s), retries of
one item not holding back the others, and bulk gets and deletes."""
import json

from kube_fixtures import certs, kube_server, probe  # noqa: F401

NS_CM = "/api/v1/namespaces/default/configmaps"


def config_for(server, tmp_path):
    return server.kubeconfig(tmp_path / "config", user={"token": "good-token"})


def test_bulk_create_is_concurrent_but_bounded(kube_server, probe, tmp_path):
    kube_server.delay = 0.02  # so that requests overlap visibly
    objects = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{i}"},
                "data": {"i": str(i)}} for i in range(120)]
    (tmp_path / "objects.json").write_text(json.dumps(objects))
    r = probe("bulk-create", "configmaps", tmp_path / "objects.json", "--max-in-flight", "6",
              kubeconfig=config_for(kube_server, tmp_path))
    assert r.returncode == 0, r.stderr
    results = r.lines()
    assert [x["index"] for x in results] == list(range(120))
    assert all(x["ok"] and x["name"] == f"cm-{x['index']}" for x in results)
    assert len(kube_server.store.list("/api/v1", "configmaps", "default")[0]) == 120
    assert 1 < kube_server.max_in_flight <= 6
    assert len(kube_server.requests_to("POST", NS_CM)) == 120


def test_bulk_results_per_item_and_retries(kube_server, probe, tmp_path):
    kube_server.store.put("/api/v1", "configmaps", "default", {"metadata": {"name": "taken"}})
    names = ["ok-1", "Bad_Name", "taken", "ok-2", "ok-3"]
    (tmp_path / "objects.json").write_text(json.dumps(
        [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n}} for n in names]))
    # Every POST is throttled once: each is retried on its own.
    kube_server.add_fault("POST", NS_CM, 429, times=2, headers={"Retry-After": "1"},
                          reason="TooManyRequests", message="slow down")
    r = probe("bulk-create", "configmaps", tmp_path / "objects.json",
              kubeconfig=config_for(kube_server, tmp_path))
    assert r.returncode == 1
    assert r.error().startswith("2 of 5 requests failed; the first: ConfigMap \"Bad_Name\" is "
                                "invalid: metadata.name: Invalid value")
    by_index = {x["index"]: x for x in r.lines()}
    assert [by_index[i].get("ok", False) for i in range(5)] == [True, False, False, True, True]
    assert by_index[1]["code"] == 422
    # Which items drew the 429s depends on timing; a retried one says so.
    assert by_index[2]["error"].startswith('configmaps "taken" already exists')
    assert by_index[2]["code"] == 409
    assert len(kube_server.requests_to("POST", NS_CM)) == 7  # 5 items, 2 throttled retries


def test_bulk_get_and_delete(kube_server, probe, tmp_path):
    config = config_for(kube_server, tmp_path)
    for i in range(10):
        kube_server.store.put("/api/v1", "configmaps", "default", {"metadata": {"name": f"c{i}"}})
    names = [f"c{i}" for i in range(10)] + ["missing"]
    r = probe("bulk-get", "configmaps", *names, kubeconfig=config)
    assert (r.returncode, r.code()) == (3, 404)  # the first failure's code
    results = r.lines()
    assert [x.get("name") for x in results[:10]] == names[:10]
    assert (results[10]["error"], results[10]["code"]) == ('configmaps "missing" not found', 404)
    r = probe("bulk-delete", "configmaps", *names[:10], "--propagation", "Background",
              kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert kube_server.store.list("/api/v1", "configmaps", "default")[0] == []
    assert kube_server.last_delete_options["propagationPolicy"] == "Background"


def test_one_in_flight_runs_back_to_back(kube_server, probe, tmp_path):
    # Regression: a freed slot was refilled only after the engine's idle
    # wait (a second), so sequential bulk work crawled. 100 creates one at
    # a time must finish well inside the probe's generous timeout.
    objects = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"s-{i}"}}
               for i in range(100)]
    (tmp_path / "objects.json").write_text(json.dumps(objects))
    r = probe("bulk-create", "configmaps", tmp_path / "objects.json", "--max-in-flight", "1",
              kubeconfig=config_for(kube_server, tmp_path), timeout=60)
    assert r.returncode == 0, r.stderr
    assert kube_server.max_in_flight == 1
    assert len(kube_server.store.list("/api/v1", "configmaps", "default")[0]) == 100
