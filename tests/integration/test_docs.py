"""Every terminal transcript in README.md and docs/*.md runs, as written,
against a fresh local cluster, and prints what the page says it prints
(the convention: HACKING.md, "Examples in the docs are tests";
doctest_md.py). Each page runs in one shell of its own, in order, with the
build's programs first on PATH, a HOME of its own and a copy of examples/
in its working directory. Blocks marked "skip:" are listed as skipped
tests with their reason (pytest -rs shows them)."""
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess

import pytest

import doctest_md
from conftest import SOURCE_DIR, binary

PAGES = [SOURCE_DIR / "README.md", SOURCE_DIR / "examples" / "README.md",
         *sorted((SOURCE_DIR / "docs").glob("*.md"))]
COMMAND_TIMEOUT = 120


def page_name(page):
    return str(page.relative_to(SOURCE_DIR))


def all_blocks():
    for page in PAGES:
        yield from doctest_md.blocks(page_name(page), page.read_text())


def runnable_pages():
    return [p for p in PAGES
            if any(b.language == "console" and b.skip_reason is None
                   for b in doctest_md.blocks(page_name(p), p.read_text()))]


@pytest.mark.parametrize("page", PAGES, ids=page_name)
def test_commands_are_in_console_blocks(page):
    """A transcript outside a console block would never be run: every
    block with "$ " prompts is a console block, every console block
    parses, and every skipped one says why."""
    text = page.read_text()
    doctest_md.directive(text)
    for block in doctest_md.blocks(page_name(page), text):
        if block.language == "console":
            assert doctest_md.steps(block), f"{block.where}: a console block without commands"
            if block.info != "console":
                assert block.skip_reason, f"{block.where}: say 'console skip: REASON'"
        else:
            prompts = [line for line in block.lines if line.startswith("$ ")]
            assert not prompts, f"{block.where}: '$ ' commands belong in a ```console block"


def _skipped():
    return [b for b in all_blocks() if b.language == "console" and b.skip_reason]


@pytest.mark.parametrize("block", _skipped(), ids=lambda b: getattr(b, "where", "none"))
def test_not_run(block):
    first = doctest_md.steps(block)[0].command.splitlines()[0]
    pytest.skip(f"{block.where} not run ({block.skip_reason}): $ {first}")


def _unmount_under(directory):
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    for point in points:
        if point.startswith(str(directory) + "/"):
            subprocess.run(["fusermount3", "-u", "-z", point], capture_output=True)


def _stop_local_up(home):
    ready = home / ".konduktor" / "local" / "server.json"
    if ready.exists():
        try:
            os.kill(json.loads(ready.read_text())["pid"], signal.SIGKILL)
        except (ProcessLookupError, ValueError, KeyError):
            pass


@pytest.mark.parametrize("page", runnable_pages(), ids=page_name)
def test_page(page, cluster_factory, tmp_path):
    text = page.read_text()
    mode, flags = doctest_md.directive(text)
    home, work, scratch = tmp_path / "home", tmp_path / "work", tmp_path / "out"
    for d in (home, work, scratch):
        d.mkdir()
    shutil.copytree(SOURCE_DIR / "examples", work / "examples")
    programs = sorted({str(pathlib.Path(binary(name)).parent) for name in
                       ("kubectl-konduktor", "konduktor-localcluster", "konduktor-fs")
                       if _built(name)})
    env = dict(os.environ, HOME=str(home), NO_COLOR="1", LANG="C.UTF-8",
               PATH=":".join(programs + [os.environ.get("PATH", "/usr/bin:/bin")]))
    for name in ("KUBECONFIG", "KONDUKTOR_CONFIG", "KONDUKTOR_LOCALCLUSTER"):
        env.pop(name, None)
    if mode == "cluster":
        env["KUBECONFIG"] = str(cluster_factory(args=flags).kubeconfig)

    shell = doctest_md.Shell(work, env, scratch)
    try:
        for block in doctest_md.blocks(page_name(page), text):
            if block.language != "console" or block.skip_reason:
                continue
            for step in doctest_md.steps(block):
                where = f"{page_name(page)}:{step.line}"
                status, out, err = shell.run(step.command, COMMAND_TIMEOUT)
                shown = f"$ {step.command}\n--- stdout:\n{out}--- stderr:\n{err}"
                assert status == 0, f"{where}: exit status {status}\n{shown}"
                assert doctest_md.matches(step.expected, out, err), (
                    f"{where}: the output differs from the page's\n--- the page:\n"
                    + "\n".join(step.expected) + f"\n{shown}")
    finally:
        shell.close()
        _unmount_under(tmp_path)
        _stop_local_up(home)


def _built(name):
    try:
        binary(name)
        return True
    except FileNotFoundError:
        return False


def test_matching_rules():
    """The matcher itself: each rule of doctest_md, and a mismatch."""
    m = doctest_md.matches
    assert m(["{\"a\": 1}"], '{"a": 1}\n', "")
    assert m(["job 'hello-…' launched", "{}"], "{}\n", "job 'hello-x7k2' launched\n")
    assert m(["NAME   STATE", "a-1 SUCCEEDED"], "NAME STATE\na-1     SUCCEEDED\n", "")
    assert m(["first", "…", "last"], "first\n1\n2\nlast\n", "")
    assert m(["…"], "", "")
    assert m([], "", "")
    assert not m([], "surprise\n", "")
    assert not m(["b", "a"], "a\nb\n", "")          # stdout keeps its order
    assert not m(["x…"], "y\n", "")
    # A block indented in a list item is found, and loses the indentation.
    found = doctest_md.blocks("p.md", "- item\n\n  ```console\n  $ echo a\n  a\n  ```\n")
    assert [(b.language, b.lines) for b in found] == [("console", ["$ echo a", "a"])]


@pytest.mark.parametrize("page", PAGES, ids=page_name)
def test_links_lead_somewhere(page):
    """Every relative link of a page names a file or directory that exists."""
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.exists(), f"{page_name(page)}: link to {target}, which does not exist"


def _task_fields(array):
    """The names of one of lib/task.c's field tables."""
    text = (SOURCE_DIR / "lib/task.c").read_text()
    body = re.search(rf"\b{array}\[\] = \{{(.*?)\}};", text, re.S)
    assert body, array
    return re.findall(r'"([a-z_]+)"', body.group(1))


def test_task_reference_names_every_field():
    """docs/task-reference.md describes every field the parser accepts (as
    its dotted path in the Fields table) and names every field it refuses
    as not supported."""
    text = (SOURCE_DIR / "docs/task-reference.md").read_text()
    fields = re.search(r"^## Fields\n(.*?)^## ", text, re.S | re.M).group(1)
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", fields, re.M))
    accepted = set(_task_fields("top_fields"))
    accepted |= {f"resources.{f}" for f in _task_fields("resource_fields")}
    accepted |= {f"resources.job_config.{f}" for f in _task_fields("job_config_fields")}
    assert "resources.job_config.max_restarts" in accepted
    # resources and resources.job_config are described through their fields.
    assert accepted - {"resources", "resources.job_config"} == documented
    errors = text.split("## Errors", 1)[1]
    for name in _task_fields("unsupported_top") + _task_fields("unsupported_resources"):
        assert f"`{name}`" in errors, name


def test_results_page_lists_every_exit_code():
    """docs/results.md's exit-code tables (outcome → code, code → meaning)
    hold exactly lib/exitcode.h's codes."""
    codes = re.findall(r"^\s*EXIT_\w+ = (\d+),", (SOURCE_DIR / "lib/exitcode.h").read_text(),
                       re.M)
    text = (SOURCE_DIR / "docs/results.md").read_text()
    by_outcome = re.findall(r"^\| [^|]+ \| (\d+) \|", text, re.M)
    others = re.findall(r"^\| (\d+) \|", text, re.M)
    assert "10" in by_outcome and "16" in others
    assert set(by_outcome + others) == set(codes)
