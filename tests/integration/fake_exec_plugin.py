#!/usr/bin/python3
"""A client.authentication.k8s.io exec credential plugin for the tests.

Each run is numbered (FAKE_PLUGIN_STATE/runs) and records what it was given
(KUBERNETES_EXEC_INFO, selected environment variables, which descriptors
it inherited) in FAKE_PLUGIN_STATE/run-<n>.json. It prints an
ExecCredential whose token is "<FAKE_PLUGIN_TOKEN_PREFIX><n>", or the client
certificate in FAKE_PLUGIN_CERT/FAKE_PLUGIN_KEY; FAKE_PLUGIN_EXPIRES_IN (seconds,
may be negative) sets expirationTimestamp; FAKE_PLUGIN_EXIT makes it fail,
FAKE_PLUGIN_SLEEP hang for that many seconds, FAKE_PLUGIN_FLOOD print that
many bytes of junk.
"""
import datetime
import json
import os
import sys

state = os.environ["FAKE_PLUGIN_STATE"]
runs_file = os.path.join(state, "runs")
try:
    with open(runs_file) as f:
        run = int(f.read()) + 1
except FileNotFoundError:
    run = 1
with open(runs_file, "w") as f:
    f.write(str(run))

fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
with open(os.path.join(state, f"run-{run}.json"), "w") as f:
    json.dump({"exec_info": json.loads(os.environ.get("KUBERNETES_EXEC_INFO", "null")),
               "env": {k: os.environ.get(k) for k in ("FAKE_PLUGIN_EXTRA", "PATH_MARKER")},
               "stdin_is_devnull": os.path.samefile("/dev/stdin", "/dev/null")
               if os.path.exists("/dev/stdin") else None,
               "fds": fds}, f)

if os.environ.get("FAKE_PLUGIN_SLEEP"):  # a plugin that hangs
    import time
    time.sleep(float(os.environ["FAKE_PLUGIN_SLEEP"]))
if os.environ.get("FAKE_PLUGIN_FLOOD"):  # a plugin that prints far too much
    sys.stdout.write("x" * int(os.environ["FAKE_PLUGIN_FLOOD"]))
    sys.exit(0)

if os.environ.get("FAKE_PLUGIN_EXIT"):
    print("fake plugin: failing on purpose", file=sys.stderr)
    sys.exit(int(os.environ["FAKE_PLUGIN_EXIT"]))

api_version = os.environ.get("FAKE_PLUGIN_API_VERSION",
                             json.loads(os.environ["KUBERNETES_EXEC_INFO"])["apiVersion"])
status = {}
if os.environ.get("FAKE_PLUGIN_CERT"):
    with open(os.environ["FAKE_PLUGIN_CERT"]) as f:
        status["clientCertificateData"] = f.read()
    with open(os.environ["FAKE_PLUGIN_KEY"]) as f:
        status["clientKeyData"] = f.read()
else:
    status["token"] = os.environ.get("FAKE_PLUGIN_TOKEN_PREFIX", "exec-token-") + str(run)
if os.environ.get("FAKE_PLUGIN_EXPIRES_IN"):
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
        seconds=int(os.environ["FAKE_PLUGIN_EXPIRES_IN"]))
    status["expirationTimestamp"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
print(json.dumps({"apiVersion": api_version, "kind": "ExecCredential", "status": status}))
