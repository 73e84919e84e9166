#!/usr/bin/env python3
"""A learning-rate search in the style of Optuna, driving only the CLI.

Each round asks a small "study" for a batch of learning rates, runs them
as one group (`kubectl konduktor map trial.yaml --inputs -`), and tells
the study each trial's loss as it finishes (`kubectl konduktor group
results GROUP --as-completed --return-exceptions`). The first round
samples log-uniformly from 1e-4 to 1; each later round samples around the
best learning rate so far, in a range half as wide (in decades). Trials
that fail (a learning rate so large that training diverges) are counted
as failed, as Optuna counts a trial that raised.

Progress goes to stderr; the outcome is one JSON object on stdout:
  {"best": {"lr": ..., "loss": ...}, "trials": 12, "failed": 2, "groups": [...]}

  examples/sweep/sweep.py                        # 2 rounds of 6 trials
  examples/sweep/sweep.py --rounds 3 --trials 8 --seed 7
  examples/sweep/sweep.py -- --context konduktor-local -n ml
Everything after -- is passed to every kubectl konduktor command.
Python standard library only.
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys

TASK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trial.yaml")


class Study:
    """Asks for learning rates and is told how they did (lower is better)."""

    def __init__(self, seed, low=1e-4, high=1.0):
        self.rng = random.Random(seed)
        self.low, self.high = math.log10(low), math.log10(high)
        self.width = self.high - self.low  # decades sampled around the best
        self.trials = []                   # (params, loss or None if failed)

    def best(self):
        done = [t for t in self.trials if t[1] is not None]
        return min(done, key=lambda t: t[1]) if done else None

    def ask(self, n):
        best = self.best()
        if best is None:
            lo, hi = self.low, self.high
        else:
            self.width /= 2
            center = math.log10(best[0]["lr"])
            lo = max(self.low, center - self.width / 2)
            hi = min(self.high, center + self.width / 2)
        return [{"lr": float(f"{10 ** self.rng.uniform(lo, hi):.4g}")} for _ in range(n)]

    def tell(self, params, loss):
        self.trials.append((params, loss))


def konduktor(args, flags, **kw):
    return subprocess.run(["kubectl", "konduktor", *args, *flags], text=True, **kw)


def run_round(study, params, flags):
    """Runs one batch as a group; tells the study each result as it comes."""
    inputs = "".join(json.dumps(p) + "\n" for p in params)
    submitted = konduktor(["map", TASK, "--inputs", "-"], flags, input=inputs,
                          stdout=subprocess.PIPE)
    if submitted.returncode != 0:
        sys.exit(f"sweep: map failed with exit code {submitted.returncode}")
    group = submitted.stdout.strip()
    # --return-exceptions: failed trials are lines too, and the exit code
    # stays 0; --as-completed: lines come as trials finish. Its stderr (a
    # summary, or why it failed) is shown only when it fails.
    with subprocess.Popen(["kubectl", "konduktor", "group", "results", group,
                           "--as-completed", "--return-exceptions", *flags],
                          text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as results:
        for line in results.stdout:
            record = json.loads(line)
            p = params[record["index"]]
            if "result" in record:
                study.tell(p, record["result"]["loss"])
                print(f"  lr={p['lr']:<8g} loss={record['result']['loss']:.3e}", file=sys.stderr)
            else:
                study.tell(p, None)
                print(f"  lr={p['lr']:<8g} failed: {record['error']['reason']}", file=sys.stderr)
        problems = results.stderr.read()
    if results.returncode != 0:
        sys.exit(f"{problems}sweep: group results failed with exit code {results.returncode}")
    return group


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--trials", type=int, default=6, help="trials per round")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("flags", nargs="*", help="after --: flags for kubectl konduktor")
    args = parser.parse_args()

    study = Study(args.seed)
    groups = []
    for r in range(args.rounds):
        params = study.ask(args.trials)
        print(f"round {r + 1}: {len(params)} trials", file=sys.stderr)
        groups.append(run_round(study, params, args.flags))
        best = study.best()
        if best:
            print(f"  best so far: lr={best[0]['lr']:g} loss={best[1]:.3e}", file=sys.stderr)
    best = study.best()
    print(json.dumps({
        "best": {"lr": best[0]["lr"], "loss": best[1]} if best else None,
        "trials": len(study.trials),
        "failed": sum(1 for t in study.trials if t[1] is None),
        "groups": groups,
    }))
    return 0 if best else 1


if __name__ == "__main__":
    sys.exit(main())
