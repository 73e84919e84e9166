"""Shell transcripts in Markdown, for test_docs.py (the convention is in
HACKING.md, "Examples in the docs are tests").

A ```console block is a terminal transcript: a line starting with "$ " is
a command (continued on the next line after a trailing backslash, and
through the body of a here-document), and the lines after it, up to the
next command, are what it prints on stdout and stderr. In expected output
"…" stands for any text within a line, and a line holding only "…" for
any number of lines; runs of spaces compare equal to one space. A block
opened with "```console skip: REASON" is not run; REASON says why.

A page may say how its blocks run, once, anywhere in it:
  <!-- doctest: local-up -->                  no cluster is started for it;
                                              the page runs `local up` itself
  <!-- doctest: cluster FLAG... -->           a fresh local cluster started
                                              with these flags (the default:
                                              one without flags)
"""
import dataclasses
import os
import re
import selectors
import shlex
import signal
import subprocess
import time

ELLIPSIS = "…"
FENCE = re.compile(r"^( *)(```+|~~~+)\s*(.*)$")
HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
DIRECTIVE = re.compile(r"<!--\s*doctest:(.*?)-->", re.S)


@dataclasses.dataclass
class Step:
    command: str
    expected: list
    line: int          # of the "$ " line, from 1


@dataclasses.dataclass
class Block:
    page: str
    line: int          # of the opening fence, from 1
    info: str          # the fence's info string ("console", "yaml", ...)
    lines: list

    @property
    def language(self):
        return self.info.split()[0] if self.info.split() else ""

    @property
    def skip_reason(self):
        """For "console skip: REASON": REASON; None for a block that runs."""
        m = re.match(r"console\s+skip:\s*(.*)$", self.info)
        return m.group(1).strip() if m else None

    @property
    def where(self):
        return f"{self.page}:{self.line}"


def blocks(page_name, text):
    """Every fenced code block of a Markdown text, also those indented in
    a list item (their lines lose that indentation)."""
    found, current, fence, indent = [], None, None, ""
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if current is None:
            if m:
                indent, fence = m.group(1), m.group(2)
                current = Block(page_name, n, m.group(3).strip(), [])
        elif m and m.group(2).startswith(fence) and not m.group(3):
            found.append(current)
            current = None
        else:
            current.lines.append(line[len(indent):] if line.startswith(indent) else line)
    if current is not None:
        raise ValueError(f"{page_name}:{current.line}: code block never closed")
    return found


def directive(text):
    """(mode, cluster flags): ("cluster", [...]) or ("local-up", [])."""
    found = DIRECTIVE.findall(text)
    if len(found) > 1:
        raise ValueError("more than one doctest directive")
    words = shlex.split(found[0]) if found else ["cluster"]
    if words[0] == "local-up" and len(words) == 1:
        return "local-up", []
    if words[0] == "cluster":
        return "cluster", words[1:]
    raise ValueError(f"unknown doctest directive {found[0]!r}")


def steps(block):
    """The commands of a console block with what each prints."""
    result, lines, i = [], block.lines, 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            if not result:
                raise ValueError(f"{block.where}: output before the first '$ ' command")
            result[-1].expected.append(line)
            i += 1
            continue
        start = block.line + 1 + i
        command = [line[2:]]
        ends = [m.group(2) for m in HEREDOC.finditer(line)]
        i += 1
        while i < len(lines) and (command[-1].endswith("\\") or ends):
            command.append(lines[i])
            if ends and lines[i].strip() == ends[0]:
                ends.pop(0)
            elif not ends:
                ends = [m.group(2) for m in HEREDOC.finditer(lines[i])]
            i += 1
        if ends:
            raise ValueError(f"{block.where}: here-document {ends[0]} never ends")
        result.append(Step("\n".join(command), [], start))
    for step in result:
        while step.expected and not step.expected[-1].strip():
            step.expected.pop()
    return result


def _norm(line):
    return re.sub(r"[ \t]+", " ", line.rstrip())


def _pattern(line):
    parts = [re.escape(p) for p in _norm(line).split(ELLIPSIS)]
    return re.compile("^" + ".*?".join(parts) + "$")


def matches(expected, stdout, stderr):
    """Whether the expected lines are stdout's and stderr's lines
    interleaved (each stream in its order, as a terminal shows them), with
    "…" as described above."""
    out = [_norm(x) for x in stdout.splitlines()]
    err = [_norm(x) for x in stderr.splitlines()]
    while out and not out[-1]:
        out.pop()
    while err and not err[-1]:
        err.pop()
    exp = [None if _norm(x) == ELLIPSIS else _pattern(x) for x in expected]
    memo = {}

    def walk(e, o, r):
        key = (e, o, r)
        if key in memo:
            return memo[key]
        if e == len(exp):
            ok = o == len(out) and r == len(err)
        elif exp[e] is None:
            ok = (walk(e + 1, o, r) or (o < len(out) and walk(e, o + 1, r))
                  or (r < len(err) and walk(e, o, r + 1)))
        else:
            ok = ((o < len(out) and exp[e].match(out[o]) is not None and walk(e + 1, o + 1, r))
                  or (r < len(err) and exp[e].match(err[r]) is not None
                      and walk(e + 1, o, r + 1)))
        memo[key] = ok
        return ok

    return walk(0, 0, 0)


class Shell:
    """One bash for a page: commands run in it one after another, so
    variables and `cd` carry over as in a terminal. Each command's stdin
    is /dev/null; its stdout and stderr are kept apart."""

    MARK = "__doctest_status="

    def __init__(self, cwd, env, scratch):
        self.scratch = scratch
        self.proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc"], cwd=cwd, env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.count = 0
        self._write("set -o pipefail\n")

    def _write(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def run(self, command, timeout):
        """(exit status, stdout, stderr) of one command."""
        self.count += 1
        out = self.scratch / f"{self.count}.out"
        err = self.scratch / f"{self.count}.err"
        self._write(f"{{\n{command}\n}} </dev/null >{shlex.quote(str(out))} "
                    f"2>{shlex.quote(str(err))}\n"
                    f"printf '\\n{self.MARK}%s\\n' \"$?\"\n")
        status, seen = None, b""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while status is None:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.close()
                    raise TimeoutError(f"no end after {timeout}s")
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError(f"the shell exited: {seen.decode(errors='replace')}")
                seen += chunk
                m = re.search(rf"{self.MARK}(\d+)\n".encode(), seen)
                if m:
                    status = int(m.group(1))
        read = lambda p: p.read_text(errors="replace") if p.exists() else ""  # noqa: E731
        return status, read(out), read(err)

    def close(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
