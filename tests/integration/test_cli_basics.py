"""The plugin's top-level behaviour: version, help (every command's, with
examples), unknown commands."""
import subprocess

from conftest import binary


def run(plugin_bin, *args):
    return subprocess.run([plugin_bin, *args], capture_output=True, text=True, timeout=30)


def test_version_prints_semver(plugin_bin):
    r = run(plugin_bin, "version")
    assert r.returncode == 0
    assert r.stdout.startswith("kubectl-konduktor v")
    assert r.stdout.strip().split(" v")[1].count(".") == 2


def test_version_json(plugin_bin):
    import json
    r = run(plugin_bin, "version", "-o", "json")
    assert r.returncode == 0
    assert json.loads(r.stdout)["version"].startswith("v")


def test_help_lists_every_planned_command(plugin_bin):
    r = run(plugin_bin, "--help")
    assert r.returncode == 0
    for command in ("launch", "status", "list", "logs", "result", "wait", "cancel",
                    "cleanup", "map", "group", "mount", "umount", "local",
                    "completion", "version"):
        assert f"\n  {command} " in r.stdout, command


def test_unknown_command_suggests(plugin_bin):
    r = run(plugin_bin, "lanch")
    assert r.returncode == 2
    assert r.stderr.strip() == "error: unknown command 'lanch' (did you mean 'launch'?)"


def test_no_arguments_is_usage_error(plugin_bin):
    r = run(plugin_bin)
    assert r.returncode == 2
    assert "Usage:" in r.stderr


def test_subcommand_help_shows_usage_examples_and_flags(plugin_bin):
    r = run(plugin_bin, "version", "--help")
    assert r.returncode == 0
    assert "Usage:\n  kubectl konduktor version" in r.stdout
    assert "Examples:" in r.stdout
    assert "-o, --output FORMAT" in r.stdout


def test_launch_and_result_help_give_every_outcome_its_exit_code(plugin_bin):
    """The result contract's table (lib/exitcode.h) in --help."""
    outcomes = {"10": "JobFailed", "11": "ResultTooLarge", "12": "MalformedResult",
                "13": "NoResultReported", "14": "Timeout", "16": "cancelled"}
    for command in ("launch", "result"):
        r = run(plugin_bin, command, "--help")
        assert r.returncode == 0
        table = r.stdout.split("Exit codes:\n", 1)[1].split("\n\n", 1)[0]
        codes = {line.split()[0]: line for line in table.splitlines() if line[2:3].isdigit()}
        assert set(codes) == set(outcomes) | {"0", "1"}, command
        for code, name in outcomes.items():
            assert name in codes[code], (command, code)


def every_command(complete_bin):
    """Every command of the table, nested ones included ("group results"),
    as the completion program reports them."""
    def names(*words):
        r = subprocess.run([complete_bin, *words, ""], capture_output=True, text=True,
                           timeout=30)
        return [line.split("\t")[0] for line in r.stdout.splitlines() if "\t" in line]

    commands = []
    for top in names():
        commands.append((top,))
        commands += [(top, sub) for sub in names(top)]
    return commands


def test_every_command_has_help_with_examples(plugin_bin):
    commands = every_command(binary("kubectl_complete-konduktor"))
    assert ("group", "results") in commands and ("local", "up") in commands
    for command in commands:
        name = " ".join(command)
        r = run(plugin_bin, *command, "--help")
        assert r.returncode == 0, name
        assert f"Usage:\n  kubectl konduktor {name}" in r.stdout, name
        examples = r.stdout.split("\nExamples:\n", 1)
        assert len(examples) == 2, f"{name}: no Examples section"
        shown = [line for line in examples[1].split("\n\n")[0].splitlines()
                 if line.startswith("  ")]
        assert any(f"kubectl konduktor {name}" in line for line in shown), f"{name}: {shown}"
