"""Many requests at once: a bounded number in flight (observed by the
server), a result per item (successes next to 422s and 409s), retries of
one item not holding back the others, bulk gets and deletes, and HTTP/2
streams over one connection where the server offers HTTP/2."""
import json
import re
import shutil
import subprocess
import time

import pytest

from kube_fixtures import certs, closed_port, kube_server, probe  # noqa: F401

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


@pytest.fixture
def h2_server(certs, tmp_path):
    """nghttpd (HTTP/2 only, TLS with ALPN) serving ConfigMaps c0..c19 as
    static files; yields (url, log path)."""
    nghttpd = shutil.which("nghttpd") or shutil.which("/usr/sbin/nghttpd")
    if not nghttpd:
        pytest.skip("nghttpd is not installed (Debian's nghttp2-server: scripts/install-deps.sh)")
    docs = tmp_path / "docs" / "api" / "v1" / "namespaces" / "default" / "configmaps"
    docs.mkdir(parents=True)
    for i in range(20):
        (docs / f"c{i}").write_text(json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                                "metadata": {"name": f"c{i}",
                                                             "namespace": "default"}}))
    log = tmp_path / "nghttpd.log"
    port = closed_port()
    with open(log, "w") as out:
        server = subprocess.Popen([nghttpd, "-v", "-a", "127.0.0.1", "-d", str(tmp_path / "docs"),
                                   str(port), certs.path("server.key"), certs.path("server.crt")],
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while "listen" not in log.read_text():
            assert server.poll() is None, f"nghttpd exited: {log.read_text()}"
            assert time.monotonic() < deadline, "nghttpd did not start listening"
            time.sleep(0.05)
        yield f"https://127.0.0.1:{port}", log
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_bulk_gets_share_one_http2_connection(h2_server, probe, tmp_path, certs):
    url, log = h2_server
    config = tmp_path / "config"
    config.write_text(json.dumps({
        "current-context": "h2",
        "clusters": [{"name": "h2", "cluster": {"server": url,
                                                "certificate-authority-data": certs.b64("ca.crt")}}],
        "contexts": [{"name": "h2", "context": {"cluster": "h2", "namespace": "default"}}]}))
    names = [f"c{i}" for i in range(20)]
    r = probe("bulk-get", "configmaps", *names, "--max-in-flight", "6", kubeconfig=config)
    # nghttpd speaks nothing but HTTP/2: an answer at all means it was used.
    assert r.returncode == 0, r.stderr
    assert [x["name"] for x in r.lines()] == names
    text = log.read_text()
    streams = re.findall(r"^\[id=(\d+)\] .* recv HEADERS frame <.*stream_id=(\d+)>$", text, re.M)
    # Every request is a stream of one multiplexed connection: not six
    # connections, as HTTP/1.1 with six in flight would need.
    assert {conn for conn, _ in streams} == {"1"}
    assert sorted(int(s) for _, s in streams) == list(range(1, 40, 2))
