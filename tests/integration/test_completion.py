"""Shell completion: kubectl_complete-konduktor called exactly as kubectl
(>= 1.26) calls it, the same through kubectl itself, and the bash and zsh
scripts that `kubectl-konduktor completion` prints.

kubectl's side (staging/src/k8s.io/kubectl/pkg/cmd/plugin.go,
pluginCompletion/getPluginCompletions): it runs `kubectl_complete-<plugin>`
from PATH with the words after the plugin name, the last one being the
word under the cursor ("" for a new word), reads one candidate per line
and takes a last line ":<n>" as cobra's ShellCompDirective.
"""
import os
import pathlib
import re
import shutil
import subprocess

import pytest

from conftest import SOURCE_DIR, binary

NO_FILE = 4
FILTER_DIRS = 16


@pytest.fixture
def plugin_bin():
    """Absolute, since the scripts run it from other directories."""
    return os.path.abspath(binary("kubectl-konduktor"))


def complete(*words, program="kubectl_complete-konduktor", env=None):
    """Runs the completion program the way kubectl does; returns
    (candidates, directive)."""
    r = subprocess.run([binary(program), *words], capture_output=True, text=True,
                       timeout=30, env=env)
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stdout.split("\n") if line]
    assert lines and re.fullmatch(r":\d+", lines[-1]), r.stdout
    return lines[:-1], int(lines[-1][1:])


def runnable_commands(plugin_bin):
    """The commands of this build: listed by --help and answering --help."""
    out = subprocess.run([plugin_bin, "--help"], capture_output=True, text=True,
                         timeout=30).stdout
    names = re.findall(r"^  (\S+) ", out.split("Commands:\n", 1)[1], re.M)
    built = []
    for name in names:
        r = subprocess.run([plugin_bin, name, "--help"], capture_output=True, text=True,
                           timeout=30)
        if r.returncode == 0:
            built.append(name)
        else:
            assert "is not part of this build" in r.stderr, (name, r.stderr)
    return names, built


def test_top_level_offers_exactly_the_built_commands(plugin_bin):
    planned, built = runnable_commands(plugin_bin)
    assert "version" in built and "completion" in built
    candidates, directive = complete("")
    assert directive == NO_FILE
    offered = [c.split("\t")[0] for c in candidates]
    assert offered == built, (offered, built)
    for c in candidates:
        name, summary = c.split("\t")
        assert summary and "\n" not in summary, c


def test_prefix_and_descriptions():
    assert complete("vers") == (["version\tprint the version"], NO_FILE)
    assert complete("nosuchcommand", "") == ([], NO_FILE)


def test_flags_of_a_command():
    candidates, directive = complete("version", "--")
    assert directive == NO_FILE
    assert [c.split("\t")[0] for c in candidates] == ["--output", "--help"]
    assert complete("version", "-o", "json", "--o") == ([], NO_FILE)  # given already


def test_subcommands_of_every_parent(plugin_bin):
    # `group` runs its subcommands through their own entries, `local`
    # dispatches them itself: both kinds are offered, with their flags.
    for parent, expected in (("group", ["list", "status", "results", "cancel", "cleanup"]),
                             ("local", ["up", "down", "status"])):
        candidates, directive = complete(parent, "")
        assert directive == NO_FILE
        assert [c.split("\t")[0] for c in candidates] == expected, (parent, candidates)
    candidates, _ = complete("local", "up", "--set")
    assert [c.split("\t")[0] for c in candidates] == ["--set-context"]


def test_completion_shells():
    assert complete("completion", "") == (["bash", "zsh"], NO_FILE)
    assert complete("completion", "z") == (["zsh"], NO_FILE)


def test_hidden_complete_of_the_plugin_matches(plugin_bin):
    """`kubectl-konduktor __complete` (what the scripts call) answers as
    kubectl_complete-konduktor does; __completeNoDesc drops descriptions."""
    for words in ([""], ["vers"], ["version", "-"], ["completion", ""]):
        r = subprocess.run([plugin_bin, "__complete", *words], capture_output=True,
                           text=True, timeout=30)
        lines = r.stdout.split("\n")[:-1]
        assert (lines[:-1], int(lines[-1][1:])) == complete(*words)
    r = subprocess.run([plugin_bin, "__completeNoDesc", "vers"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0
    assert r.stdout == "version\n:4\n"


def test_through_kubectl(tmp_path):
    """kubectl __complete konduktor …, with the build directory on PATH."""
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.skip("kubectl is not installed")
    bindir = os.path.dirname(os.path.abspath(binary("kubectl_complete-konduktor")))
    assert os.path.dirname(os.path.abspath(binary("kubectl-konduktor"))) == bindir
    env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}",
               KUBECONFIG=str(tmp_path / "none"), HOME=str(tmp_path))
    r = subprocess.run([kubectl, "__complete", "konduktor", "vers"], capture_output=True,
                       text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["version\tprint the version", ":4"]
    assert "kubectl_complete-konduktor" in r.stderr  # kubectl's own debug line
    r = subprocess.run([kubectl, "__completeNoDesc", "konduktor", "completion", ""],
                       capture_output=True, text=True, timeout=60, env=env)
    assert r.stdout.splitlines() == ["bash", "zsh", ":4"]


def test_scripts_are_the_installed_files(plugin_bin):
    for shell, name in (("bash", "kubectl-konduktor.bash"), ("zsh", "kubectl-konduktor.zsh")):
        r = subprocess.run([plugin_bin, "completion", shell], capture_output=True,
                           timeout=30)
        assert r.returncode == 0
        assert r.stdout == (SOURCE_DIR / "plugin/completion" / name).read_bytes()


def test_completion_command_errors(plugin_bin):
    for args, message in ((["fish"], "error: completion: unknown shell 'fish' (use bash or zsh)"),
                          ([], "error: completion: name one shell: bash or zsh"),
                          (["bash", "zsh"], "error: completion: name one shell: bash or zsh"),
                          (["--zsh"], "error: completion: unknown flag '--zsh'")):
        r = subprocess.run([plugin_bin, "completion", *args], capture_output=True, text=True,
                           timeout=30)
        assert r.returncode == 2
        assert r.stdout == ""
        assert r.stderr.strip() == message


# --- the bash script, against the real program and against a fake one ---

def bash_complete(script, words, cwd, with_bash_completion=False, line=None):
    """Runs the script's completion function in bash as readline would and
    returns COMPREPLY."""
    preamble = ("source /usr/share/bash-completion/bash_completion\n"
                if with_bash_completion else "")
    comp_line = line if line is not None else " ".join(words)
    program = f"""{preamble}
source {script}
COMP_WORDS=({' '.join(_quote(w) for w in words)})
COMP_CWORD={len(words) - 1}
COMP_LINE={_quote(comp_line)}
COMP_POINT=${{#COMP_LINE}}
__kubectl_konduktor_complete
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True,
                       text=True, timeout=30, cwd=cwd)
    assert r.returncode == 0, r.stderr
    return sorted(line for line in r.stdout.split("\n") if line)


def _quote(word):
    return "'" + word.replace("'", "'\\''") + "'"


@pytest.fixture
def bash_script(tmp_path, plugin_bin):
    path = tmp_path / "konduktor.bash"
    path.write_bytes(subprocess.run([plugin_bin, "completion", "bash"], capture_output=True,
                                    check=True, timeout=30).stdout)
    return path


def test_bash_script_with_the_real_program(bash_script, plugin_bin, tmp_path):
    assert bash_complete(bash_script, [plugin_bin, "vers"], tmp_path) == ["version"]
    assert bash_complete(bash_script, [plugin_bin, "completion", ""], tmp_path) == ["bash", "zsh"]
    assert bash_complete(bash_script, [plugin_bin, "version", "--o"], tmp_path,
                         with_bash_completion=True) == ["--output"]


@pytest.fixture
def fake(tmp_path):
    """A stand-in for kubectl-konduktor that records its arguments and
    answers what the test wrote in `reply`."""
    program = tmp_path / "fake-konduktor"
    program.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/args"\n'
                       'cat "$(dirname "$0")/reply"\n')
    program.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    (work / "task.yaml").write_text("")
    (work / "notes.txt").write_text("")
    (work / "sub").mkdir()
    return program, work


def test_bash_script_follows_each_directive(bash_script, fake):
    program, work = fake
    reply = program.parent / "reply"
    cases = [
        ("alpha\nbeta\n:4\n", "al", ["alpha"]),
        ("alpha\nbeta\n:4\n", "", ["alpha", "beta"]),
        (":0\n", "", ["notes.txt", "sub", "task.yaml"]),  # files
        (":4\n", "", []),
        ("yaml\n:8\n", "", ["sub", "task.yaml"]),  # by extension, and directories
        (":16\n", "", ["sub"]),
        ("alpha\n:1\n", "", []),  # error: nothing
        ("alpha\n", "", ["alpha"]),  # no directive line: default
    ]
    for answer, cur, want in cases:
        reply.write_text(answer)
        assert bash_complete(bash_script, [str(program), "x", cur], work) == want, answer
    reply.write_text("ml\n:4\n")
    bash_complete(bash_script, [str(program), "launch", "-n", "ml", "ta"], work)
    assert (program.parent / "args").read_text().split("\n")[:-1] == \
        ["__completeNoDesc", "launch", "-n", "ml", "ta"]


def test_bash_script_flag_value_after_equals(bash_script, fake):
    """bash splits "--output=js" at "="; with bash-completion loaded the
    script rejoins it, passes the whole word and offers the value alone."""
    program, work = fake
    (program.parent / "reply").write_text("json\nyaml\n:4\n")
    words = [str(program), "version", "--output", "=", "js"]
    got = bash_complete(bash_script, words, work, with_bash_completion=True,
                        line=f"{program} version --output=js")
    assert got == ["json"]
    assert (program.parent / "args").read_text().split("\n")[:-1] == \
        ["__completeNoDesc", "version", "--output=js"]


# --- the zsh script, with the completion system's functions replaced by recording fakes ---

ZSH_FAKES = r"""
compdef() { print -r -- "compdef $*" }
compset() { print -r -- "compset $*" }
_files() { print -r -- "_files $*" }
_describe() {
    local -a opts
    while [[ $1 == -* ]]; do opts+=($1); shift; done
    print -r -- "_describe ${opts:+$opts }$1 [${(j: :)@[3,-1]}]"
    print -rl -- "${(@P)2}"
}
"""


def zsh_complete(setup, words, cwd):
    if not shutil.which("zsh"):
        pytest.skip("zsh is not installed (scripts/install-deps.sh installs it)")
    program = f"""{ZSH_FAKES}
{setup}
words=({' '.join(_quote(w) for w in words)})
CURRENT={len(words)}
_kubectl-konduktor
"""
    r = subprocess.run(["zsh", "-f", "-c", program], capture_output=True, text=True,
                       timeout=30, cwd=cwd)
    return r.stdout.split("\n")[:-1]


def test_zsh_script_sourced(plugin_bin, tmp_path):
    setup = f"source <({_quote(plugin_bin)} completion zsh)"
    out = zsh_complete(setup, [plugin_bin, "vers"], tmp_path)
    assert out == ["compdef _kubectl-konduktor kubectl-konduktor",
                   "_describe kubectl-konduktor []", "version:print the version"]


def test_zsh_script_autoloaded_from_fpath(plugin_bin, tmp_path):
    fpath = tmp_path / "functions"
    fpath.mkdir()
    (fpath / "_kubectl-konduktor").write_bytes(
        subprocess.run([plugin_bin, "completion", "zsh"], capture_output=True, check=True,
                       timeout=30).stdout)
    setup = f"fpath=({fpath} $fpath); autoload -Uz _kubectl-konduktor"
    out = zsh_complete(setup, [plugin_bin, "completion", ""], tmp_path)
    assert out == ["_describe kubectl-konduktor []", "bash", "zsh"]


def test_zsh_script_follows_each_directive(plugin_bin, fake, tmp_path):
    program, work = fake
    reply = program.parent / "reply"
    setup = f"source <({_quote(plugin_bin)} completion zsh) >/dev/null"
    cases = [
        ("a:b\tdesc\nplain\n:4\n", "x", ["_describe kubectl-konduktor []", "a\\:b:desc", "plain"]),
        ("alpha\n:6\n", "x", ["_describe kubectl-konduktor [-S ]", "alpha"]),
        ("alpha\n:36\n", "x", ["_describe -V kubectl-konduktor []", "alpha"]),
        (":0\n", "x", ["_files "]),
        (":4\n", "x", []),
        ("yaml\nyml\n:8\n", "x", ["_files -g (*.yaml|*.yml)"]),
        (":16\n", "x", ["_files -/"]),
        ("sub\n:16\n", "x", ["_files -W sub -/"]),
        ("alpha\n:1\n", "x", []),
        ("json\n:4\n", "--output=j", ["compset -P *=", "_describe kubectl-konduktor []", "json"]),
    ]
    for answer, cur, want in cases:
        reply.write_text(answer)
        assert zsh_complete(setup, [str(program), "launch", cur], work) == want, answer
    assert (program.parent / "args").read_text().split("\n")[:-1] == \
        ["__complete", "launch", "--output=j"]


# --- names from a cluster (the local cluster) --------------------------------

def job(name, labels):
    """A suspended Job (nothing runs) with the given labels."""
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "labels": labels},
            "spec": {"suspend": True, "template": {"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "main", "image": "busybox", "command": ["true"]}]}}}}


def jobset(name, labels):
    return {"apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet",
            "metadata": {"name": name, "labels": labels},
            "spec": {"suspend": True, "replicatedJobs": [{
                "name": "workers", "replicas": 1, "template": {"spec": {
                    "parallelism": 2, "completions": 2, "template": {"spec": {
                        "restartPolicy": "Never",
                        "containers": [{"name": "main", "image": "busybox",
                                        "command": ["true"]}]}}}}}]}}


KIND, JOB_NAME, GROUP_ID = "konduktor.io/kind", "konduktor.io/job-name", "konduktor.io/group-id"
# What every workload kubectl konduktor launches carries besides.
OURS = {"app.kubernetes.io/managed-by": "kubectl-konduktor", "konduktor.io/component": "workload"}


@pytest.fixture
def populated(cluster):
    """Konduktor jobs and a group in two namespaces, and objects that are
    not konduktor's."""
    cluster.api("POST", "/api/v1/namespaces", {"metadata": {"name": "ml"}})
    jobs = "/apis/batch/v1/namespaces/{}/jobs"
    for ns, body in (
            ("default", job("train-a", {**OURS, KIND: "job", JOB_NAME: "train-a"})),
            ("default", job("train-b", {**OURS, KIND: "job", JOB_NAME: "train-b"})),
            ("default", job("grp-0000beef", {**OURS, KIND: "group", GROUP_ID: "grp-0000beef"})),
            ("default", job("trainer-not-ours", {"app": "other"})),
            ("ml", job("eval-c", {**OURS, KIND: "job", JOB_NAME: "eval-c"})),
            ("ml", job("grp-1234abcd", {**OURS, KIND: "group", GROUP_ID: "grp-1234abcd"}))):
        cluster.api("POST", jobs.format(ns), body)
    cluster.api("POST", "/apis/jobset.x-k8s.io/v1alpha2/namespaces/default/jobsets",
                jobset("multi-x", {**OURS, KIND: "job", JOB_NAME: "multi-x"}))
    return cluster


def probe(*words, env=None):
    return complete(*words, program="complete-probe", env=env)


def test_job_names_from_the_cluster(populated):
    kc = f"--kubeconfig={populated.kubeconfig}"
    assert probe("jobs", kc, "") == (["multi-x", "train-a", "train-b"], NO_FILE)
    assert probe("jobs", kc, "tr") == (["train-a", "train-b"], NO_FILE)
    assert probe("jobs", kc, "-n", "ml", "") == (["eval-c"], NO_FILE)
    assert probe("jobs", kc, "-A", "") == (["eval-c", "multi-x", "train-a", "train-b"], NO_FILE)
    assert probe("groups", kc, "") == (["grp-0000beef"], NO_FILE)
    assert probe("groups", "--namespace=ml", kc, "grp-") == (["grp-1234abcd"], NO_FILE)


def test_kubeconfig_from_the_environment_and_its_context_namespace(populated, tmp_path):
    kubeconfig = tmp_path / "kubeconfig-ml"
    populated.write_kubeconfig(kubeconfig, namespace="ml")
    env = dict(os.environ, KUBECONFIG=str(kubeconfig))
    assert probe("jobs", "", env=env) == (["eval-c"], NO_FILE)


def test_namespace_values_from_the_cluster(populated):
    kc = f"--kubeconfig={populated.kubeconfig}"
    names, directive = probe("jobs", kc, "-n", "")
    assert directive == NO_FILE and {"default", "ml"} <= set(names)
    assert names == sorted(names)
    assert probe("jobs", kc, "--namespace=m") == (["ml"], NO_FILE)
    assert probe("namespaces", kc, "m") == (["ml"], NO_FILE)


def test_one_bounded_list_per_kind(populated):
    kc = f"--kubeconfig={populated.kubeconfig}"
    populated.reset_counters()
    probe("jobs", kc, "")
    c = populated.counters()
    assert c["byVerb"] == {"list": 2} and c["watches"] == 0
    assert c["byResource"] == {"jobs": 1, "jobsets": 1}
    populated.reset_counters()
    probe("groups", kc, "")
    assert populated.counters()["byResource"] == {"jobs": 1}


def test_unreachable_cluster_offers_nothing_and_says_why(cluster, tmp_path):
    debug = tmp_path / "complete.log"
    env = dict(os.environ, BASH_COMP_DEBUG_FILE=str(debug))
    kc = f"--kubeconfig={cluster.kubeconfig}"
    cluster.pause()  # accepts connections, never answers
    try:
        assert probe("jobs", kc, "--request-timeout=1s", "", env=env) == ([], NO_FILE)
    finally:
        cluster.unpause()
    line, = debug.read_text().splitlines()
    assert line.startswith("kubectl-konduktor completion: listing jobs: ")
    # selected by label on the server, one bounded page
    assert ("labelSelector=app.kubernetes.io%2Fmanaged-by%3Dkubectl-konduktor%2C"
            "konduktor.io%2Fkind%3Djob%2C" in line and "&limit=500:" in line)
    missing = tmp_path / "missing-kubeconfig"
    assert probe("jobs", f"--kubeconfig={missing}", "", env=env) == ([], NO_FILE)
    assert str(missing) in debug.read_text().splitlines()[1]


def test_jobset_errors(cluster, tmp_path):
    """A failing JobSet list fails the completion, as any error does..."""
    debug = tmp_path / "complete.log"
    env = dict(os.environ, BASH_COMP_DEBUG_FILE=str(debug))
    cluster.set_faults([{"status": 500, "share": 1, "verb": "list", "resource": "jobsets"}])
    assert probe("jobs", f"--kubeconfig={cluster.kubeconfig}", "", env=env) == ([], NO_FILE)
    assert debug.read_text() == \
        "kubectl-konduktor completion: listing jobsets: Internal error occurred: injected fault\n"


def test_cluster_without_jobsets(tmp_path):
    """...but a cluster that does not serve JobSets (404) just has none."""
    import http.server
    import json
    import threading

    class Api(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/apis/batch/v1/namespaces/default/jobs?"):
                status, body = 200, {"kind": "JobList", "apiVersion": "batch/v1",
                                     "metadata": {}, "items": [
                                         {"metadata": {"name": "train-a", "labels": {
                                             KIND: "job", JOB_NAME: "train-a"}}}]}
            else:
                status, body = 404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                     "reason": "NotFound", "code": 404,
                                     "message": "the server could not find the requested resource"}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        kc = tmp_path / "kubeconfig"
        kc.write_text(f"""apiVersion: v1
kind: Config
clusters: [{{name: c, cluster: {{server: "http://127.0.0.1:{server.server_port}"}}}}]
users: [{{name: u, user: {{}}}}]
contexts: [{{name: x, context: {{cluster: c, user: u}}}}]
current-context: x
""")
        assert probe("jobs", f"--kubeconfig={kc}", "") == (["train-a"], NO_FILE)
    finally:
        server.shutdown()
