"""list+watch that keeps a consistent picture (the informer): dropped
connections resume from the last resourceVersion, 410 Gone (as an HTTP
status or an ERROR event) relists and reconciles, malformed and over-long
events relist, reconnections back off exponentially, events split across
reads are reassembled, selectors and namespaces scope what is seen, and
stopping is prompt. The final state the client holds is compared with the
server's, and no (object, version) is ever reported twice."""
import json

from kube_fixtures import certs, kube_server, probe  # noqa: F401
from kube_fixtures import closed_port, unreachable_kubeconfig

CHANGES = ("ADDED", "MODIFIED", "DELETED")
LIST_PATH = "/api/v1/namespaces/default/configmaps"


def cm(name, ns="default", labels=None, value="v"):
    return {"metadata": {"name": name, "namespace": ns, "labels": labels or {}},
            "data": {"k": value}}


def put(server, name, ns="default", **kwargs):
    return server.store.put("/api/v1", "configmaps", ns, cm(name, ns, **kwargs))


def config_for(server, tmp_path):
    return server.kubeconfig(tmp_path / "config", user={"token": "good-token"})


def start_watch(probe, config, *extra):
    return probe.start("watch", "configmaps", "--timeout-seconds", "60", *extra,
                       kubeconfig=config)


def read_until(running, predicate):
    return [json.loads(line) for line in
            running.wait_for(lambda line: predicate(json.loads(line)))]


def is_synced(event):
    return event["type"] == "SYNCED"


def changes(events):
    return [(e["type"], e["name"]) for e in events if e["type"] in CHANGES]


def server_state(server, ns="default"):
    items, _ = server.store.list("/api/v1", "configmaps", ns)
    return {f"{o['metadata']['namespace']}/{o['metadata']['name']}":
            o["metadata"]["resourceVersion"] for o in items}


def drain(running):
    """Lines printed but not yet read (after the process ended)."""
    rest = []
    while not running.lines.empty():
        rest.append(json.loads(running.lines.get_nowait()))
    return rest


def stop_and_check(running, server, seen):
    """Stops the watch; the client's final cache equals the server's, and
    no object version was reported twice."""
    assert running.stop() == 0
    seen = seen + drain(running)
    stopped = [e for e in seen if e["type"] == "STOPPED"]
    assert len(stopped) == 1, seen
    assert stopped[0]["objects"] == server_state(server)
    versions = [(e["type"] == "DELETED", e["name"], e["rv"]) for e in seen if e["type"] in CHANGES]
    assert len(versions) == len(set(versions)), seen
    return seen


def test_watch_survives_a_dropped_connection_and_a_410(kube_server, probe, tmp_path):
    put(kube_server, "a")
    put(kube_server, "b")
    kube_server.watch_faults = [{"drop_after": 1}]  # the first watch breaks after one event
    running = start_watch(probe, config_for(kube_server, tmp_path))
    seen = read_until(running, is_synced)
    assert sorted(changes(seen)) == [("ADDED", "default/a"), ("ADDED", "default/b")]

    put(kube_server, "a", value="2")
    seen += read_until(running, lambda e: e["type"] == "MODIFIED")
    # The first watch drops instead of sending this; the second resumes
    # from the last version seen and delivers it.
    put(kube_server, "c")
    seen += read_until(running, lambda e: e["type"] == "ADDED" and e["name"] == "default/c")
    assert len(kube_server.requests_to("GET", LIST_PATH)) >= 3  # list, watch 1, watch 2
    assert sum(1 for r in kube_server.requests_to("GET", LIST_PATH)
               if r.query.get("watch") != "true") == 1  # resumed without a new list

    # A gap the history cannot cover: changes, a compaction, a broken
    # stream. The next watch is refused with 410 and the client relists.
    kube_server.pause_watches = True
    kube_server.store.delete("/api/v1", "configmaps", "default", "b")
    put(kube_server, "c", value="2")
    put(kube_server, "d")
    kube_server.store.compact()
    kube_server.drop_watches()
    kube_server.pause_watches = False
    gap = read_until(running, is_synced)
    assert sorted(changes(gap)) == [("ADDED", "default/d"), ("DELETED", "default/b"),
                                    ("MODIFIED", "default/c")]
    deleted_b = [e for e in gap if e["type"] == "DELETED"][0]
    assert deleted_b["rv"] == [e for e in seen if e.get("name") == "default/b"][-1]["rv"]
    seen += gap
    lists = [r for r in kube_server.requests_to("GET", LIST_PATH) if r.query.get("watch") != "true"]
    assert len(lists) == 2
    stop_and_check(running, kube_server, seen)


def test_410_as_an_error_event_in_the_stream(kube_server, probe, tmp_path):
    put(kube_server, "a")
    running = start_watch(probe, config_for(kube_server, tmp_path))
    seen = read_until(running, is_synced)
    kube_server.pause_watches = True
    put(kube_server, "b")
    kube_server.store.compact()
    kube_server.watch_faults = [{"gone": "event"}]
    kube_server.drop_watches()
    kube_server.pause_watches = False
    gap = read_until(running, is_synced)
    assert changes(gap) == [("ADDED", "default/b")]
    stop_and_check(running, kube_server, seen + gap)


def test_malformed_and_overlong_events_make_the_client_relist(kube_server, probe, tmp_path):
    put(kube_server, "a")
    kube_server.watch_faults = [{"garbage": True}, {"huge_line": 17 * 1024 * 1024}]
    running = start_watch(probe, config_for(kube_server, tmp_path))
    seen = read_until(running, is_synced)
    seen += read_until(running, is_synced)
    seen += read_until(running, is_synced)
    errors = [e["error"] for e in seen if e["type"] == "DISCONNECTED"]
    assert errors[0].startswith("watch event 1: invalid JSON at byte ")
    assert errors[1] == "watch event 1 is longer than the limit of 16777216 bytes"
    # Nothing changed on the server, so the relists report nothing.
    assert changes(seen) == [("ADDED", "default/a")]
    put(kube_server, "b")
    seen += read_until(running, lambda e: e["type"] == "ADDED")
    stop_and_check(running, kube_server, seen)


def test_reconnects_back_off_exponentially(kube_server, probe, tmp_path):
    # kubeprobe's informer backs off from 100 ms, doubling up to 1 s, with
    # half of each wait random: the k-th wait is at least half of
    # min(100 * 2**k, 1000) ms (50, 100, 200, 400 here). Only these lower
    # bounds are asserted, which a slow machine cannot break; a client that
    # reconnected at once would miss them by far.
    put(kube_server, "a")
    kube_server.watch_faults = [{"garbage": True} for _ in range(5)]
    running = start_watch(probe, config_for(kube_server, tmp_path))
    seen = []
    for _ in range(6):
        seen += read_until(running, is_synced)
    assert sum(1 for e in seen if e["type"] == "DISCONNECTED") == 5
    # The five broken watches, each made before the relist its garbage
    # caused (the sixth may still be on its way).
    watches = [r.time for r in kube_server.requests_to("GET", LIST_PATH)
               if r.query.get("watch") == "true"][:5]
    assert len(watches) == 5
    gaps = [later - earlier for earlier, later in zip(watches, watches[1:])]
    for k, gap in enumerate(gaps):
        assert gap >= min(0.1 * 2 ** k, 1.0) / 2, f"wait {k} was {gap:.3f} s: {gaps}"
    stop_and_check(running, kube_server, seen)


def test_events_split_across_reads_and_bookmarks(kube_server, probe, tmp_path):
    kube_server.split_events = True
    kube_server.bookmarks = True
    running = start_watch(probe, config_for(kube_server, tmp_path))
    seen = read_until(running, is_synced)
    for name in ("x", "y", "z"):
        put(kube_server, name, value="a fairly long value " * 50)
    seen += read_until(running, lambda e: e["name"] == "default/z" if "name" in e else False)
    assert changes(seen) == [("ADDED", "default/x"), ("ADDED", "default/y"),
                             ("ADDED", "default/z")]
    watches = [r for r in kube_server.requests_to("GET", LIST_PATH) if r.query.get("watch")]
    assert watches[0].query["allowWatchBookmarks"] == "true"
    stop_and_check(running, kube_server, seen)


def test_selectors_and_namespaces_scope_the_watch(kube_server, probe, tmp_path):
    put(kube_server, "x", labels={"app": "x"})
    put(kube_server, "y", labels={"app": "y"})
    put(kube_server, "z", ns="other", labels={"app": "x"})
    config = config_for(kube_server, tmp_path)
    running = start_watch(probe, config, "-l", "app=x")
    seen = read_until(running, is_synced)
    assert changes(seen) == [("ADDED", "default/x")]
    put(kube_server, "y2", labels={"app": "y"})
    put(kube_server, "x2", labels={"app": "x"})
    seen += read_until(running, lambda e: e.get("name") == "default/x2")
    assert ("ADDED", "default/y2") not in changes(seen)
    running.stop()

    everywhere = start_watch(probe, config, "-l", "app=x", "-A")
    seen = read_until(everywhere, is_synced)
    assert sorted(changes(seen)) == [("ADDED", "default/x"), ("ADDED", "default/x2"),
                                     ("ADDED", "other/z")]
    assert everywhere.stop() == 0
    assert kube_server.requests[-1].path == "/api/v1/configmaps"


def test_watch_resumes_after_the_server_ends_it(kube_server, probe, tmp_path):
    running = probe.start("watch", "configmaps", "--timeout-seconds", "1",
                          kubeconfig=config_for(kube_server, tmp_path))
    seen = read_until(running, is_synced)

    def watches():
        return [r for r in kube_server.requests_to("GET", LIST_PATH) if r.query.get("watch")]

    # Wait (by events, not time) until the server has ended a watch and the
    # client has opened the next one.
    put(kube_server, "a")
    seen += read_until(running, lambda e: e.get("name") == "default/a")
    while len(watches()) < 3:
        put(kube_server, "tick", value=str(len(watches())))
        seen += read_until(running, lambda e: e.get("name") == "default/tick")
    lists = [r for r in kube_server.requests_to("GET", LIST_PATH) if not r.query.get("watch")]
    assert len(lists) == 1  # resumed each time, never relisted
    assert watches()[2].query["resourceVersion"] != watches()[0].query["resourceVersion"]
    stop_and_check(running, kube_server, seen)


def test_stop_is_prompt_while_the_server_is_unreachable(probe, tmp_path, certs):
    config = unreachable_kubeconfig(tmp_path / "config", certs, closed_port())
    running = start_watch(probe, config)
    first = read_until(running, lambda e: e["type"] == "DISCONNECTED")
    assert "connection refused" in first[-1]["error"]
    assert running.stop() == 0
    assert [e["type"] for e in drain(running)][-1] == "STOPPED"


def test_a_trimmed_cache_still_reports_full_objects_and_gaps(kube_server, probe, tmp_path):
    put(kube_server, "a")
    put(kube_server, "b")
    running = start_watch(probe, config_for(kube_server, tmp_path), "--trim-cache")
    seen = read_until(running, is_synced)
    # Events carry the whole object (apiVersion, kind, metadata, data)...
    assert {e["fields"] for e in seen if e["type"] == "ADDED"} == {4}
    put(kube_server, "a", value="2")
    modified = read_until(running, lambda e: e["type"] == "MODIFIED")[-1]
    # ... while the cache kept only the object's identity.
    assert (modified["fields"], modified["oldFields"]) == (4, 1)

    # A gap: the object that vanished is reported with its last known
    # (trimmed) state, and the cache still matches the server.
    kube_server.pause_watches = True
    kube_server.store.delete("/api/v1", "configmaps", "default", "b")
    kube_server.store.compact()
    kube_server.drop_watches()
    kube_server.pause_watches = False
    gap = read_until(running, is_synced)
    deleted = [e for e in gap if e["type"] == "DELETED"]
    assert [(e["name"], e["fields"]) for e in deleted] == [("default/b", 1)]
    seen = stop_and_check(running, kube_server, seen + [modified] + gap)
    assert set(seen[-1]["fields"].values()) == {1}
