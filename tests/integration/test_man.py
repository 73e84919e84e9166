"""The man pages: every docs/man/*.scd is built, renders with `man -l`
without a warning, is installed gzipped as Debian does it, and
kubectl-konduktor(1) keeps up with the command table and the exit codes."""
import gzip
import os
import re
import subprocess

import pytest

from conftest import BUILD_DIR, SOURCE_DIR, binary

MAN_SOURCES = sorted((SOURCE_DIR / "docs/man").glob("*.scd"))


def render(page):
    env = dict(os.environ, LANG="C.UTF-8", MANWIDTH="80")
    env.pop("MAN_KEEP_FORMATTING", None)
    r = subprocess.run(["man", "--warnings", "-l", str(page)], capture_output=True,
                       text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    return r


def section(text, title):
    """The body of a top-level section of rendered man output."""
    m = re.search(rf"^{title}\n(.*?)(?=^[A-Z][A-Z ]+\n|\Z)", text, re.M | re.S)
    assert m, f"no {title} section"
    return m.group(1)


@pytest.fixture(scope="module")
def kubectl_konduktor_page():
    return render(BUILD_DIR / "docs/man/kubectl-konduktor.1").stdout


def test_the_two_pages_this_project_writes_exist():
    names = {p.name for p in MAN_SOURCES}
    assert {"kubectl-konduktor.1.scd", "konduktor-fs.1.scd"} <= names


@pytest.mark.parametrize("source", MAN_SOURCES, ids=lambda p: p.name)
def test_page_renders_without_warnings(source):
    page = BUILD_DIR / "docs/man" / source.name[:-len(".scd")]
    assert page.is_file(), f"{page} was not built (target man)"
    r = render(page)
    assert r.stderr == ""
    name = page.name.rsplit(".", 1)[0]
    assert r.stdout.startswith(f"{name}(")
    for title in ("NAME", "SYNOPSIS", "DESCRIPTION", "SEE ALSO"):
        assert re.search(rf"^{title}$", r.stdout, re.M), title
    assert section(r.stdout, "NAME").strip().startswith(f"{name} - ")


@pytest.mark.parametrize("source", MAN_SOURCES, ids=lambda p: p.name)
def test_compressed_copy_is_reproducible_gzip(source):
    page = BUILD_DIR / "docs/man" / source.name[:-len(".scd")]
    packed = page.with_name(page.name + ".gz").read_bytes()
    assert gzip.decompress(packed) == page.read_bytes()
    # gzip -n: no file name (FLG.FNAME clear) and no timestamp (MTIME 0)
    assert packed[3] & 0x08 == 0
    assert packed[4:8] == b"\0\0\0\0"


def planned_commands():
    text = (SOURCE_DIR / "plugin/commands.c").read_text()
    names = re.findall(r'\.name = "([^"]+)"', text)
    assert len(names) >= 15
    return names


def test_kubectl_konduktor_page_describes_every_command(kubectl_konduktor_page):
    commands = section(kubectl_konduktor_page, "COMMANDS")
    for name in planned_commands():
        assert re.search(rf"^ +{re.escape(name)}\b", commands, re.M), name


def test_kubectl_konduktor_page_describes_every_built_subcommand(kubectl_konduktor_page):
    """Nested commands (group results, local up…), as the completion
    program reports them from the command table."""
    commands = section(kubectl_konduktor_page, "COMMANDS")
    complete = binary("kubectl_complete-konduktor")
    top = subprocess.run([complete, ""], capture_output=True, text=True, timeout=30)
    for line in top.stdout.splitlines()[:-1]:
        name = line.split("\t")[0]
        sub = subprocess.run([complete, name, ""], capture_output=True, text=True, timeout=30)
        for subline in sub.stdout.splitlines()[:-1]:
            subname = subline.split("\t")[0]
            if subline.startswith(":") or "\t" not in subline:
                continue  # an argument value, not a subcommand
            assert re.search(rf"^ +{re.escape(name)} {re.escape(subname)}\b", commands,
                             re.M), f"{name} {subname}"


def test_kubectl_konduktor_page_lists_every_exit_code(kubectl_konduktor_page):
    header = (SOURCE_DIR / "lib/exitcode.h").read_text()
    codes = re.findall(r"^\s*EXIT_\w+ = (\d+),", header, re.M)
    assert "0" in codes and "10" in codes
    status = section(kubectl_konduktor_page, "EXIT STATUS")
    listed = re.findall(r"^ {7}(\d+)$", status, re.M)
    assert sorted(listed, key=int) == sorted(codes, key=int)


def test_kubectl_konduktor_page_names_the_environment(kubectl_konduktor_page):
    env = section(kubectl_konduktor_page, "ENVIRONMENT")
    for variable in ("KUBECONFIG", "NO_COLOR", "KONDUKTOR_OUTPUT_DIR", "RESTART_ATTEMPT"):
        assert variable in env


def test_konduktor_fs_page_describes_every_flag():
    """Every flag konduktor-fs --help lists, short and long, is in
    konduktor-fs(1)'s OPTIONS."""
    helped = subprocess.run([binary("konduktor-fs"), "--help"], capture_output=True, text=True,
                            timeout=30)
    assert helped.returncode == 0
    flags = set(re.findall(r"^ +(?:(-[a-zA-Z]), )?(--[a-z][a-z-]*)", helped.stdout, re.M))
    assert ("-o", "--options") in flags and (None, "--log-file") in {
        (short or None, long) for short, long in flags}
    options = section(render(BUILD_DIR / "docs/man/konduktor-fs.1").stdout, "OPTIONS")
    for short, long in flags:
        for flag in filter(None, (short, long)):
            assert re.search(rf"(^|[\s,]){re.escape(flag)}\b", options, re.M), flag
