"""A small Kubernetes-like HTTPS API server for testing the kube/ client.

It runs in a thread of the pytest process, so tests can change its
behaviour and read what it saw directly: which requests arrived (method,
path, query, time, who), which faults to inject (429 with Retry-After, 5xx,
422 Status bodies, dropped connections), which tokens and client
certificates it accepts, and how watch streams misbehave (drop after N
events, 410 as HTTP status or as an ERROR event, garbage, over-long lines,
events split across reads).

Objects live in memory with a cluster-wide resourceVersion counter and an
event history that can be compacted (so that old resourceVersions get 410
Gone, as on a real server). Certificates are generated with the openssl CLI.
"""
import base64
import copy
import http.server
import json
import os
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse
import uuid

# --- certificates -----------------------------------------------------------


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class Certs:
    """A CA, server certificates (for 127.0.0.1/localhost, and one valid only
    for api.internal), a client certificate for 'alice', and an unrelated CA."""

    def __init__(self, directory):
        self.dir = str(directory)
        os.makedirs(self.dir, exist_ok=True)
        self._ca("ca")
        self._ca("wrong-ca")
        self._leaf("server", "ca", "localhost",
                   "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth")
        self._leaf("sni", "ca", "api.internal",
                   "subjectAltName=DNS:api.internal\nextendedKeyUsage=serverAuth")
        self._leaf("alice", "ca", "alice",
                   "extendedKeyUsage=clientAuth", subject="/O=devs/CN=alice")
        self._leaf("bob", "ca", "bob", "extendedKeyUsage=clientAuth", subject="/CN=bob")

    def path(self, name):
        return os.path.join(self.dir, name)

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def b64(self, name):
        return base64.b64encode(self.read(name)).decode()

    def _ca(self, name):
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "3",
                 "-subj", f"/CN={name}", cwd=self.dir)

    def _leaf(self, name, ca, cn, extensions, subject=None):
        with open(os.path.join(self.dir, f"{name}.ext"), "w") as f:
            f.write(extensions + "\n")
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", subject or f"/CN={cn}", cwd=self.dir)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey",
                 f"{ca}.key", "-CAcreateserial", "-out", f"{name}.crt", "-days", "3",
                 "-extfile", f"{name}.ext", cwd=self.dir)


# --- the object store ---------------------------------------------------------


def _status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if details:
        body["details"] = details
    return body


def merge_patch(target, patch):
    """RFC 7386."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(target, ops):
    """The subset of RFC 6902 the tests use: add, replace, remove, test."""
    doc = copy.deepcopy(target)
    for op in ops:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
        parent = doc
        for p in parts[:-1]:
            parent = parent[int(p)] if isinstance(parent, list) else parent[p]
        last = parts[-1]
        if op["op"] in ("add", "replace"):
            if isinstance(parent, list):
                if last == "-":
                    parent.append(op["value"])
                else:
                    parent.insert(int(last), op["value"]) if op["op"] == "add" else \
                        parent.__setitem__(int(last), op["value"])
            else:
                if op["op"] == "replace" and last not in parent:
                    raise KeyError(op["path"])
                parent[last] = op["value"]
        elif op["op"] == "remove":
            del parent[int(last) if isinstance(parent, list) else last]
        elif op["op"] == "test":
            if (parent[int(last)] if isinstance(parent, list) else parent.get(last)) != op["value"]:
                raise ValueError("test failed")
        else:
            raise ValueError(op["op"])
    return doc


def _labels_match(selector, labels):
    if not selector:
        return True
    for term in selector.split(","):
        term = term.strip()
        if "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k.strip()) == v.strip():
                return False
        elif "==" in term or "=" in term:
            k, v = term.split("==", 1) if "==" in term else term.split("=", 1)
            if labels.get(k.strip()) != v.strip():
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def _fields_match(selector, obj):
    if not selector:
        return True
    meta = obj.get("metadata", {})
    values = {"metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace"),
              "status.phase": obj.get("status", {}).get("phase")}
    for term in selector.split(","):
        negate = "!=" in term
        k, v = term.split("!=" if negate else ("==" if "==" in term else "="), 1)
        if (values.get(k.strip()) == v.strip()) == negate:
            return False
    return True


KINDS = {"pods": "Pod", "configmaps": "ConfigMap", "secrets": "Secret", "services": "Service",
         "events": "Event", "jobs": "Job", "jobsets": "JobSet", "namespaces": "Namespace",
         "nodes": "Node"}
CLUSTER_SCOPED = {"namespaces", "nodes"}


class Store:
    def __init__(self):
        self.lock = threading.Condition()
        self.rv = 100
        self.objects = {}      # (prefix, plural) -> {(ns, name): obj}
        self.history = []      # (rv, type, prefix, plural, ns, obj)
        self.compacted = 0     # watching from an rv below this is 410 Gone

    def _bump(self):
        self.rv += 1
        return self.rv

    def _record(self, kind, prefix, plural, ns, obj):
        self.history.append((self.rv, kind, prefix, plural, ns, copy.deepcopy(obj)))
        self.lock.notify_all()

    def put(self, prefix, plural, ns, obj, event=None):
        """Creates or replaces without checks (for tests setting up state)."""
        with self.lock:
            items = self.objects.setdefault((prefix, plural), {})
            name = obj["metadata"]["name"]
            obj = copy.deepcopy(obj)
            meta = obj.setdefault("metadata", {})
            if ns:
                meta["namespace"] = ns
            old = items.get((ns, name))
            meta.setdefault("uid", old["metadata"]["uid"] if old else str(uuid.uuid4()))
            meta["resourceVersion"] = str(self._bump())
            obj.setdefault("kind", KINDS.get(plural, "Object"))
            obj.setdefault("apiVersion", prefix.split("/", 2)[-1] if prefix.startswith("/apis/")
                           else "v1")
            items[(ns, name)] = obj
            self._record(event or ("MODIFIED" if old else "ADDED"), prefix, plural, ns, obj)
            return copy.deepcopy(obj)

    def delete(self, prefix, plural, ns, name):
        with self.lock:
            obj = self.objects.get((prefix, plural), {}).pop((ns, name), None)
            if obj is None:
                return None
            obj["metadata"]["resourceVersion"] = str(self._bump())
            self._record("DELETED", prefix, plural, ns, obj)
            return copy.deepcopy(obj)

    def get(self, prefix, plural, ns, name):
        with self.lock:
            obj = self.objects.get((prefix, plural), {}).get((ns, name))
            return copy.deepcopy(obj) if obj else None

    def list(self, prefix, plural, ns):
        with self.lock:
            items = [copy.deepcopy(o) for (n, _), o in
                     sorted(self.objects.get((prefix, plural), {}).items())
                     if ns is None or n == ns]
            return items, self.rv

    def compact(self):
        """Forgets history: watches from any earlier resourceVersion get 410.
        As on a real server, a watch from the current resourceVersion (what
        a list returns) still works: there is nothing before it to replay."""
        with self.lock:
            self.compacted = self.rv
            self.history = []


# --- the HTTP server ------------------------------------------------------------


class Request:
    def __init__(self, method, path, query, user, headers, body):
        self.method, self.path, self.query = method, path, query
        self.user, self.headers, self.body = user, headers, body
        self.time = time.monotonic()

    def __repr__(self):
        return f"{self.method} {self.path}?{urllib.parse.urlencode(self.query)} ({self.user})"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-test-server"

    def log_message(self, fmt, *args):
        pass

    # every verb goes through one place
    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    def _send(self, code, body, headers=None):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _start_chunked(self, content_type="application/json"):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def _chunk(self, data):
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def _end_chunked(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _drop(self):
        """Ends the connection without finishing the response."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _who(self):
        srv = self.server.owner
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth[7:]
            return ("token:" + token) if token in srv.tokens else None
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            return ("basic:" + user) if srv.basic.get(user) == password else None
        cert = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
        if cert:
            cn = dict(x[0] for x in cert["subject"]).get("commonName")
            return ("cert:" + cn) if cn in srv.client_cns else None
        return "anonymous" if srv.anonymous else None

    def _handle(self, method):
        srv = self.server.owner
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        user = self._who()
        req = Request(method, url.path, query, user, dict(self.headers), body)
        with srv.lock:
            srv.requests.append(req)
            hooks = list(srv.hooks)
        for hook in hooks:  # may rotate tokens before the check below
            hook(req)
        user = self._who()
        req.user = user
        with srv.lock:
            fault = srv._take_fault(method, url.path)
        if user is None:
            return self._send(401, _status(401, "Unauthorized", "Unauthorized"))
        if fault:
            if fault.get("action") == "drop":
                return self._drop()
            return self._send(fault["status"], fault.get("body") or _status(
                fault["status"], fault.get("reason", "InternalError"),
                fault.get("message", "injected failure")), fault.get("headers"))
        with srv.lock:
            srv.in_flight += 1
            srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
        try:
            if srv.delay and query.get("watch") != "true":
                time.sleep(srv.delay)
            self._route(method, url.path, query, body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True
        finally:
            with srv.lock:
                srv.in_flight -= 1

    def _route(self, method, path, query, body):
        srv = self.server.owner
        if path == "/version":
            return self._send(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0"})
        if path in ("/api/v1", "/apis/batch/v1") or (
                path == "/apis/jobset.x-k8s.io/v1alpha2" and srv.serve_jobsets):
            plurals = {"/api/v1": ["pods", "configmaps", "secrets", "services", "events",
                                   "namespaces", "nodes"],
                       "/apis/batch/v1": ["jobs"],
                       "/apis/jobset.x-k8s.io/v1alpha2": ["jobsets"]}[path]
            return self._send(200, {"kind": "APIResourceList", "groupVersion": path[5:].lstrip("/"),
                                    "resources": [{"name": p, "namespaced": p not in CLUSTER_SCOPED,
                                                   "kind": KINDS[p]} for p in plurals]})
        parsed = self._parse(path)
        if not parsed:
            return self._send(404, b"404 page not found\n", {"Content-Type": "text/plain"})
        prefix, ns, plural, name, sub = parsed
        if plural == "pods" and sub == "log" and method == "GET":
            return self._logs(ns, name, query)
        if method == "GET" and name is None:
            if query.get("watch") in ("true", "1"):
                return self._watch(prefix, plural, ns, query)
            return self._list(prefix, plural, ns, query)
        if method == "GET":
            obj = srv.store.get(prefix, plural, ns, name)
            if obj is None:
                return self._send(404, _status(404, "NotFound", f'{plural} "{name}" not found',
                                               {"name": name, "kind": plural}))
            return self._send(200, obj)
        try:
            doc = json.loads(body) if body else None
        except ValueError:
            return self._send(400, _status(400, "BadRequest", "the body is not JSON"))
        if method == "POST" and name is None:
            return self._create(prefix, plural, ns, doc, query)
        if method == "PUT":
            return self._replace(prefix, plural, ns, name, doc)
        if method == "PATCH":
            return self._patch(prefix, plural, ns, name, sub, doc)
        if method == "DELETE":
            srv.last_delete_options = doc
            obj = srv.store.delete(prefix, plural, ns, name)
            if obj is None:
                return self._send(404, _status(404, "NotFound", f'{plural} "{name}" not found'))
            return self._send(200, obj)
        return self._send(405, _status(405, "MethodNotAllowed", "method not allowed"))

    @staticmethod
    def _parse(path):
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "v1"]:
            prefix, rest = "/api/v1", parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            prefix, rest = "/" + "/".join(parts[:3]), parts[3:]
        else:
            return None
        ns = None
        if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) != 2:
            ns, rest = rest[1], rest[2:]
        if not rest or rest[0] not in KINDS:
            return None
        plural = rest[0]
        name = urllib.parse.unquote(rest[1]) if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        return prefix, ns, plural, name, sub

    def _list(self, prefix, plural, ns, query):
        srv = self.server.owner
        items, rv = srv.store.list(prefix, plural, ns)
        items = [o for o in items
                 if _labels_match(query.get("labelSelector"), o["metadata"].get("labels", {}))
                 and _fields_match(query.get("fieldSelector"), o)]
        offset = 0
        if query.get("continue"):
            token = json.loads(base64.b64decode(query["continue"]))
            if srv.expire_continue_tokens:
                srv.expire_continue_tokens -= 1
                return self._send(410, _status(410, "Expired",
                                               "The provided continue parameter is too old to "
                                               "display a consistent list result."))
            offset = token["offset"]
        limit = int(query.get("limit") or 0)
        page = items[offset:offset + limit] if limit else items[offset:]
        meta = {"resourceVersion": str(rv)}
        if limit and offset + limit < len(items):
            meta["continue"] = base64.b64encode(
                json.dumps({"offset": offset + limit}).encode()).decode()
            meta["remainingItemCount"] = len(items) - offset - limit
        self._send(200, {"kind": KINDS[plural] + "List", "apiVersion": "v1", "metadata": meta,
                         "items": page})

    def _create(self, prefix, plural, ns, doc, query):
        srv = self.server.owner
        name = (doc.get("metadata") or {}).get("name", "")
        if not name or name.lower() != name or "_" in name:
            kind = KINDS[plural]
            return self._send(422, _status(422, "Invalid", (
                f'{kind} "{name}" is invalid: metadata.name: Invalid value: "{name}": a lowercase '
                "RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                "'.', and must start and end with an alphanumeric character (e.g. "
                "'example.com', regex used for validation is "
                "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
                {"name": name, "kind": kind,
                 "causes": [{"reason": "FieldValueInvalid", "field": "metadata.name"}]}))
        unknown = [k for k in doc if k not in ("apiVersion", "kind", "metadata", "spec", "data",
                                               "stringData", "status", "type", "binaryData")]
        headers = {}
        if unknown and query.get("fieldValidation") == "Strict":
            return self._send(400, _status(400, "BadRequest",
                                           f'strict decoding error: unknown field "{unknown[0]}"'))
        if unknown and query.get("fieldValidation") == "Warn":
            headers["Warning"] = f'299 - "unknown field \\"{unknown[0]}\\""'
        if srv.store.get(prefix, plural, ns, name) is not None:
            return self._send(409, _status(409, "AlreadyExists",
                                           f'{plural} "{name}" already exists'))
        if query.get("dryRun") == "All":
            doc = copy.deepcopy(doc)
            doc.setdefault("metadata", {})["uid"] = "dry-run"
            return self._send(201, doc, headers)
        self._send(201, srv.store.put(prefix, plural, ns, doc), headers)

    def _replace(self, prefix, plural, ns, name, doc):
        srv = self.server.owner
        old = srv.store.get(prefix, plural, ns, name)
        if old is None:
            return self._send(404, _status(404, "NotFound", f'{plural} "{name}" not found'))
        want = (doc.get("metadata") or {}).get("resourceVersion")
        if want and want != old["metadata"]["resourceVersion"]:
            return self._send(409, _status(409, "Conflict", (
                f'Operation cannot be fulfilled on {plural} "{name}": the object has been '
                "modified; please apply your changes to the latest version and try again")))
        self._send(200, srv.store.put(prefix, plural, ns, doc))

    def _patch(self, prefix, plural, ns, name, sub, doc):
        srv = self.server.owner
        old = srv.store.get(prefix, plural, ns, name)
        if old is None:
            return self._send(404, _status(404, "NotFound", f'{plural} "{name}" not found'))
        ctype = self.headers.get("Content-Type", "")
        srv.last_patch = (ctype, doc, sub)
        try:
            if ctype == "application/json-patch+json":
                new = json_patch(old, doc)
            elif ctype in ("application/merge-patch+json",
                           "application/strategic-merge-patch+json"):
                if sub == "status":
                    doc = {"status": doc.get("status", {})}
                new = merge_patch(old, doc)
            else:
                return self._send(415, _status(415, "UnsupportedMediaType",
                                               f"the body of the request was in an unknown "
                                               f"format - accepted media types include: "
                                               f"application/json-patch+json, "
                                               f"application/merge-patch+json"))
        except (KeyError, ValueError, IndexError) as e:
            return self._send(422, _status(422, "Invalid", f"the patch failed: {e}"))
        new["metadata"]["name"] = name
        self._send(200, srv.store.put(prefix, plural, ns, new))

    def _logs(self, ns, pod, query):
        srv = self.server.owner
        srv.log_queries.append(query)
        text = srv.logs.get((ns, pod))
        if text is None:
            return self._send(404, _status(404, "NotFound", f'pods "{pod}" not found'))
        lines = text.splitlines(keepends=True)
        if "tailLines" in query:
            n = int(query["tailLines"])
            lines = lines[len(lines) - n:] if n else []
        data = "".join(lines).encode()
        if "limitBytes" in query:
            data = data[:int(query["limitBytes"])]
        self._start_chunked("text/plain")
        self._chunk(data)
        if query.get("follow") == "true":
            for line in srv.follow_lines.get((ns, pod), []):
                time.sleep(0.05)
                self._chunk(line.encode())
            # A running container that prints nothing more for a while.
            stop_at = time.monotonic() + srv.follow_idle.get((ns, pod), 0)
            while time.monotonic() < stop_at and not srv.stopping:
                time.sleep(0.05)
        self._end_chunked()

    def _watch(self, prefix, plural, ns, query):
        srv = self.server.owner
        store = srv.store
        selector = query.get("labelSelector")
        since = int(query.get("resourceVersion") or 0)
        deadline = time.monotonic() + float(query.get("timeoutSeconds") or 30)
        with srv.lock:
            srv.watch_count += 1
            fault = srv.watch_faults.pop(0) if srv.watch_faults else {}
        if since and since < store.compacted and fault.get("gone") != "event":
            return self._send(410, _status(410, "Expired", f"too old resource version: {since} "
                                           f"({store.compacted - 1})"))
        self._start_chunked()
        if since and since < store.compacted:
            self._event({"type": "ERROR", "object": _status(
                410, "Expired", f"too old resource version: {since} ({store.compacted - 1})")})
            return self._end_chunked()
        if fault.get("garbage"):
            self._chunk(b'{"type": "ADDED", "object": not json}\n')
            return self._end_chunked()
        if fault.get("huge_line"):
            block = b'{"type":"ADDED","object":{"metadata":{"name":"' + b"x" * 65536
            for _ in range(fault["huge_line"] // 65536 + 1):
                self._chunk(block)
                block = b"x" * 65536
            return self._end_chunked()
        sent = 0
        position = since
        generation = srv.watch_generation
        if query.get("allowWatchBookmarks") == "true" and srv.bookmarks:
            self._event({"type": "BOOKMARK", "object": {
                "kind": KINDS[plural], "apiVersion": "v1",
                "metadata": {"resourceVersion": str(store.rv)}}})
        while time.monotonic() < deadline and not srv.stopping:
            if srv.watch_generation != generation:
                return self._drop()
            if srv.pause_watches:
                time.sleep(0.02)
                continue
            with store.lock:
                pending = [h for h in store.history if h[0] > position]
                if not pending:
                    store.lock.wait(0.1)
                    continue
            for rv, kind, h_prefix, h_plural, h_ns, obj in pending:
                position = rv
                if (h_prefix, h_plural) != (prefix, plural) or (ns and h_ns != ns):
                    continue
                if not _labels_match(selector, obj["metadata"].get("labels", {})):
                    continue
                if fault.get("drop_after") is not None and sent >= fault["drop_after"]:
                    return self._drop()
                self._event({"type": kind, "object": obj})
                sent += 1
        self._end_chunked()

    def _event(self, event):
        data = json.dumps(event).encode() + b"\n"
        if self.server.owner.split_events and len(data) > 4:
            # Split across reads: the client must reassemble.
            for piece in (data[:3], data[3:len(data) // 2], data[len(data) // 2:]):
                self._chunk(piece)
                time.sleep(0.002)
        else:
            self._chunk(data)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def finish_request(self, request, client_address):
        # Headers and body go out in separate writes: without TCP_NODELAY
        # each response waits ~40 ms for the client's delayed ACK.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The TLS handshake happens here, in the connection's own thread.
        try:
            tls = self.owner.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            with self.owner.lock:
                self.owner.handshake_errors.append(str(e))
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        except (ssl.SSLError, OSError):
            pass
        finally:
            try:
                tls.close()
            except OSError:
                pass


class KubeTestServer:
    """An HTTPS API server on 127.0.0.1 (port chosen by the kernel)."""

    def __init__(self, certs, server_cert="server", require_client_cert=False):
        self.certs = certs
        self.lock = threading.Lock()
        self.store = Store()
        self.requests = []
        self.handshake_errors = []
        self.sni_names = []
        self.faults = []
        self.hooks = []  # callables(Request) run before authentication
        self.watch_faults = []
        self.watch_count = 0
        self.in_flight = 0       # requests being handled now
        self.max_in_flight = 0   # the most at once so far
        self.delay = 0           # seconds each (non-watch) request takes
        self.watch_generation = 0  # bumped by drop_watches()
        self.pause_watches = False  # watches hold back events while True
        self.tokens = set()
        self.basic = {}
        self.client_cns = set()
        self.anonymous = False
        self.serve_jobsets = True
        self.split_events = False
        self.bookmarks = False
        self.expire_continue_tokens = 0
        self.logs = {}
        self.follow_lines = {}
        self.follow_idle = {}  # seconds a follow stream stays open after its lines
        self.log_queries = []
        self.last_delete_options = None
        self.last_patch = None
        self.stopping = False
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certs.path(f"{server_cert}.crt"),
                                     certs.path(f"{server_cert}.key"))
        self.context.load_verify_locations(certs.path("ca.crt"))
        self.context.verify_mode = ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_OPTIONAL
        self.context.sni_callback = self._on_sni
        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _on_sni(self, sock, name, context):
        with self.lock:
            self.sni_names.append(name)

    def drop_watches(self):
        """Breaks every open watch connection (they end without a final chunk)."""
        with self.store.lock:
            self.watch_generation += 1
            self.store.lock.notify_all()

    def stop(self):
        self.stopping = True
        self.httpd.shutdown()
        self.httpd.server_close()

    # faults: the first `times` requests matching method and path get `status`
    def add_fault(self, method, path, status=None, times=1, **kwargs):
        with self.lock:
            self.faults.append(dict(method=method, path=path, status=status, times=times,
                                    **kwargs))

    def _take_fault(self, method, path):
        for fault in self.faults:
            if fault["times"] > 0 and fault["method"] == method and fault["path"] == path:
                fault["times"] -= 1
                return fault
        return None

    def requests_to(self, method, path):
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path == path]

    def kubeconfig(self, path, user=None, cluster=None, context_extra=None):
        """Writes a kubeconfig for this server: `user` and `cluster` are merged
        into the defaults (CA data of the test CA, server URL)."""
        c = {"server": self.url, "certificate-authority-data": self.certs.b64("ca.crt")}
        c.update(cluster or {})
        ctx = {"cluster": "test", "user": "test", "namespace": "default"}
        ctx.update(context_extra or {})
        config = {"apiVersion": "v1", "kind": "Config", "current-context": "test",
                  "clusters": [{"name": "test", "cluster": c}],
                  "users": [{"name": "test", "user": user or {}}],
                  "contexts": [{"name": "test", "context": ctx}]}
        with open(path, "w") as f:
            json.dump(config, f, indent=1)
        return str(path)


# --- an HTTP CONNECT proxy --------------------------------------------------------


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_CONNECT(self):
        proxy = self.server.owner
        host, _, port = self.path.rpartition(":")
        with proxy.lock:
            proxy.tunnels.append(self.path)
        try:
            upstream = socket.create_connection((host, int(port)), timeout=10)
        except OSError:
            self.send_error(502)
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        client = self.connection
        upstream.settimeout(None)
        client.settimeout(None)

        def pump(src, dst):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

        back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
        back.start()
        pump(client, upstream)
        back.join(timeout=30)
        upstream.close()
        self.close_connection = True


class ConnectProxy:
    """A plain-HTTP proxy that tunnels CONNECT requests and records them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tunnels = []
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ProxyHandler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
