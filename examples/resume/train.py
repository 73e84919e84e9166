"""A training-style job that checkpoints every epoch and resumes after a
restart (examples/resume.yaml; examples/README.md explains the pattern).

Fits y = 3x - 2 by full-batch gradient descent, with the Python standard
library only. After every epoch the model is saved to a checkpoint; a new
attempt (RESTART_ATTEMPT 1, 2, ...) loads it and goes on from the next
epoch. With CRASH_AT_EPOCH=N, attempt 0 exits with code 1 right after
saving epoch N, to show the resume; 0 never crashes.

Environment:
  CHECKPOINT_DIR   storage that outlives the pod (see examples/README.md)
  CHECKPOINT_NAME  this run's checkpoint; default: the pod's host name,
                   <job>-<index>, the same for every attempt of the job
  EPOCHS, STEPS_PER_EPOCH, LR, CRASH_AT_EPOCH
"""
import json
import os
import socket
import sys

epochs = int(os.environ.get("EPOCHS", "6"))
steps_per_epoch = int(os.environ.get("STEPS_PER_EPOCH", "100"))
lr = float(os.environ.get("LR", "0.1"))
crash_at_epoch = int(os.environ.get("CRASH_AT_EPOCH", "0") or "0")
attempt = int(os.environ.get("RESTART_ATTEMPT", "0"))
name = os.environ.get("CHECKPOINT_NAME") or socket.gethostname()
directory = os.path.join(os.environ.get("CHECKPOINT_DIR", "/tmp/konduktor-checkpoints"), name)
checkpoint = os.path.join(directory, "checkpoint.json")

xs = [i / 10 for i in range(20)]
ys = [3 * x - 2 for x in xs]


def loss(w, b):
    return sum((w * x + b - y) ** 2 for x, y in zip(xs, ys)) / len(xs)


def save(state):
    # Write a new file and rename it over the old one: a crash while
    # writing never leaves a torn checkpoint behind.
    os.makedirs(directory, exist_ok=True)
    with open(checkpoint + ".tmp", "w") as f:
        json.dump(state, f)
    os.replace(checkpoint + ".tmp", checkpoint)


try:
    with open(checkpoint) as f:
        state = json.load(f)
    print(f"attempt {attempt}: resuming from {checkpoint} after epoch {state['epoch']}",
          flush=True)
except FileNotFoundError:
    state = {"epoch": 0, "w": 0.0, "b": 0.0}
    print(f"attempt {attempt}: no checkpoint at {checkpoint}, starting afresh", flush=True)
resumed_from = state["epoch"]

w, b = state["w"], state["b"]
for epoch in range(state["epoch"] + 1, epochs + 1):
    for _ in range(steps_per_epoch):
        gw = sum(2 * (w * x + b - y) * x for x, y in zip(xs, ys)) / len(xs)
        gb = sum(2 * (w * x + b - y) for x, y in zip(xs, ys)) / len(xs)
        w, b = w - lr * gw, b - lr * gb
    save({"epoch": epoch, "w": w, "b": b})
    print(f"epoch {epoch}: loss {loss(w, b):.3e}, checkpoint saved", flush=True)
    if attempt == 0 and epoch == crash_at_epoch:
        print(f"attempt 0: crashing on purpose after epoch {epoch} (CRASH_AT_EPOCH)",
              flush=True)
        sys.exit(1)

result = {"epochs": epochs, "attempt": attempt, "resumed_from_epoch": resumed_from,
          "w": round(w, 4), "b": round(b, 4), "loss": float(f"{loss(w, b):.3e}")}
with open(os.path.join(os.environ["KONDUKTOR_OUTPUT_DIR"], "result.json"), "w") as f:
    json.dump(result, f)
