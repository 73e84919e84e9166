"""Fault injection switched at run time through the admin channel (which
faults never touch), and the request counters the FUSE tests rely on."""
import json
import socket
import threading
import time

from localcluster import wait_for

CM = "/api/v1/namespaces/default/configmaps"


def test_share_of_requests_get_429_with_retry_after(cluster):
    cluster.set_faults([{"status": 429, "share": 0.5, "retryAfterSeconds": 2}])
    statuses = [cluster.request("GET", CM)[0] for _ in range(10)]
    assert statuses.count(429) == 5 and statuses.count(200) == 5
    status, headers, body = next(r for r in (cluster.request("GET", CM) for _ in range(2))
                                 if r[0] == 429)
    assert headers["retry-after"] == "2"
    s = json.loads(body)
    assert (s["reason"], s["code"], s["details"]["retryAfterSeconds"]) == \
        ("TooManyRequests", 429, 2)
    # The admin channel is never faulted.
    for _ in range(5):
        assert cluster.faults()["errors"][0]["status"] == 429
    cluster.clear_faults()
    assert all(cluster.request("GET", CM)[0] == 200 for _ in range(4))


def test_500_for_one_verb_and_resource(cluster):
    cluster.set_faults([{"status": 500, "verb": "create", "resource": "configmaps"}])
    status, _, body = cluster.request("POST", CM, {"metadata": {"name": "x"}})
    assert status == 500 and json.loads(body)["reason"] == "InternalError"
    assert cluster.request("GET", CM)[0] == 200  # another verb
    assert cluster.request("POST", "/api/v1/namespaces/default/secrets",
                           {"metadata": {"name": "x"}})[0] == 201  # another resource
    rules = cluster.faults()["errors"]
    assert rules[0]["matched"] == 1 and rules[0]["injected"] == 1


def test_409_already_exists_for_a_create_and_conflict_otherwise(cluster):
    cluster.set_faults([{"status": 409, "resource": "configmaps"}])
    status, _, body = cluster.request("POST", CM, {"metadata": {"name": "x"}})
    s = json.loads(body)
    assert (status, s["code"], s["reason"]) == (409, 409, "AlreadyExists")
    status, _, body = cluster.request("PUT", CM + "/x", {"metadata": {"name": "x"}})
    assert (status, json.loads(body)["reason"]) == (409, "Conflict")
    cluster.clear_faults()
    assert cluster.request("POST", CM, {"metadata": {"name": "x"}})[0] == 201


def test_python_client_sees_the_injected_error(cluster):
    from kubernetes import client
    from kubernetes.client.rest import ApiException
    api = client.CoreV1Api(cluster.python_client())
    cluster.set_faults([{"status": 500, "verb": "list"}])
    try:
        api.list_namespaced_config_map("default")
        raise AssertionError("no error")
    except ApiException as e:
        assert e.status == 500
    cluster.clear_faults()
    assert api.list_namespaced_config_map("default").items == []


def test_bad_fault_rules_are_refused(cluster):
    status, _, body = cluster.request("PUT", "/debug/konduktor/faults",
                                      {"errors": [{"status": 404}]})
    assert status == 400
    assert json.loads(body)["message"] == "errors[0].status: must be 409, 429 or 500"
    status, _, body = cluster.request("PUT", "/debug/konduktor/faults",
                                      {"errors": [{"status": 500, "share": 2}]})
    assert status == 400


def test_drop_watches(cluster):
    rv = cluster.api("GET", CM)["metadata"]["resourceVersion"]
    with cluster.watch(CM + f"?resourceVersion={rv}") as w:
        wait_for(lambda: cluster.stats()["watches"] == 1, what="watch open")
        assert cluster.drop_watches() == 200
        try:
            ended = w.next() is None
        except Exception:  # an abrupt end is what a dropped stream looks like
            ended = True
        assert ended
    wait_for(lambda: cluster.stats()["watches"] == 0, what="watch closed")
    # New watches work again.
    with cluster.watch(CM + f"?resourceVersion={rv}&timeoutSeconds=1") as w:
        assert list(w) == []


def test_expire_history(cluster):
    rv = cluster.api("GET", CM)["metadata"]["resourceVersion"]
    cluster.api("POST", CM, {"metadata": {"name": "a"}}, expect=201)
    with cluster.watch(CM + f"?resourceVersion={rv}&timeoutSeconds=1") as w:
        assert [e["type"] for e in w] == ["ADDED"]
    assert cluster.expire_history() == 200
    assert cluster.stats()["historyLength"] == 0
    with cluster.watch(CM + f"?resourceVersion={rv}") as w:
        events = list(w)
    assert events[0]["type"] == "ERROR" and events[0]["object"]["code"] == 410
    # A list gives a fresh version that can be watched from.
    rv = cluster.api("GET", CM)["metadata"]["resourceVersion"]
    with cluster.watch(CM + f"?resourceVersion={rv}&timeoutSeconds=1") as w:
        assert list(w) == []


def test_pause_accepts_but_does_not_answer(cluster):
    cluster.pause()
    sock = socket.create_connection(("127.0.0.1", cluster.port), timeout=5)
    sock.sendall(f"GET {CM} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    sock.settimeout(0.5)
    try:
        got = sock.recv(100)
    except socket.timeout:
        got = None
    assert got is None  # connected, but no answer while paused
    answer = {}
    t = threading.Thread(target=lambda: answer.update(r=cluster.request("GET", CM)))
    t.start()
    time.sleep(0.2)
    assert t.is_alive()
    assert cluster.faults()["paused"] is True  # the admin channel still answers
    cluster.unpause()
    t.join(10)
    assert answer["r"][0] == 200
    sock.settimeout(5)
    assert sock.recv(12) == b"HTTP/1.1 200"
    sock.close()


def test_counters_count_requests_and_watches_apart(cluster):
    cluster.reset_counters()
    c = cluster.counters()
    assert (c["requests"], c["watches"]) == (0, 0)
    cluster.request("GET", CM)
    cluster.request("GET", CM + "/x")
    cluster.request("POST", CM, {"metadata": {"name": "x"}})
    with cluster.watch(CM + "?timeoutSeconds=1") as w:
        list(w)
    cluster.stats()  # admin requests are not counted
    c = cluster.counters()
    assert c["requests"] == 3 and c["watches"] == 1
    assert c["byVerb"] == {"list": 1, "get": 1, "create": 1, "watch": 1}
    assert c["byResource"] == {"configmaps": 4}
    assert c["byUserAgent"] == {"konduktor-tests": 4}
    assert cluster.requests_by("konduktor-tests", c) == 3
    # kubectl's requests show up under its own user agent.
    cluster.reset_counters()
    cluster.kubectl("get", "configmaps")
    c = cluster.counters()
    assert cluster.requests_by("kubectl/", c) >= 1
    assert cluster.requests_by("konduktor-tests", c) == 0
