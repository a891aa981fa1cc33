"""Accuracy benchmark: the TF1 graph and its Keras 3 port, trained on MNIST side by side.

Runs :func:`tools.proof.accuracy.train_both` (same initial weights, same batches, TF1's Adam
in the graph, Keras' Adam with TF1's defaults) for each model of a profile, prints a
table of what it measured and writes it into ``BENCHMARKS.md`` (one block per profile,
model and step count, replaced when that run is repeated, so CI and full results, and
runs of other lengths, live side by side)::

    python benchmarks/accuracy.py --profile ci
    python benchmarks/accuracy.py --profile full --models lstm --out BENCHMARKS.md
    python benchmarks/accuracy.py --profile full --models gru --steps 3000 --json gru.json

Profiles (``tools.proof.accuracy.PROFILES``): ``ci`` (32 units, the first 10,000 training
images, all 10,000 test images) and ``full`` (128 units, all 60,000 training images; the
target is >= 98.5% test accuracy on both sides).
"""
import argparse
import datetime
import json
import os
import platform
import re
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET = 0.985  # the target accuracy (full profile)

HEADER = """# Benchmarks

Measured numbers only: every block below was written by the script that measured it,
with the machine, versions and date of that run.

## Accuracy: TF1 graph vs Keras 3 port on MNIST (`benchmarks/accuracy.py`)

MNIST rows as time steps (28 steps of 28 pixels, `uint8 / 255`), embedded real MNIST.
Both sides start from the same TF1-style initial weights (glorot-uniform kernels, zero
biases, GRU gate bias 1.0, readout `N(0, 1)`) and train on the same batches with Adam
(TF1's `AdamOptimizer` in the graph; `keras.optimizers.Adam(epsilon=1e-8)` in a
`tf.function` step). *test acc* is on the profile's test images; *final loss* is the mean
training loss of the last 50 steps; *wall s* is training plus the final evaluation
(periodic evaluations excluded); *ms/step* is the steady-state training step (first
step, with its graph warm-up / tracing, excluded); *first >= 98.5% at step* is the first
periodic evaluation (every 500 steps) at or above the target, the accuracy may dip below
it again later (see the curve). Timings come from a shared 2-core machine: repeated runs
of one configuration differed by up to ~1.5x. Regenerate a block with
`python benchmarks/accuracy.py --profile PROFILE --models MODEL`.
"""


def _versions():
    import keras
    import numpy
    import tensorflow as tf

    return f"TensorFlow {tf.__version__}, Keras {keras.__version__}, numpy {numpy.__version__}"


def _machine():
    cpu = platform.processor() or platform.machine()
    return (f"{os.cpu_count()} CPU cores ({cpu}), {platform.platform()}, "
            f"Python {platform.python_version()}")


def _first_reaching(curve, target):
    for step, acc in curve:
        if acc >= target:
            return step
    return None


def table_rows(model, profile, result, target=None):
    cfg = result["config"]
    rows = []
    for side in ("legacy", "keras"):
        r = result[side]
        row = {
            "model": f"{model}-{profile.units}",
            "side": "TF1 graph" if side == "legacy" else "Keras 3",
            "steps": cfg["steps"],
            "batch": cfg["batch_size"],
            "test acc": f"{100 * r['test_accuracy']:.2f}%",
            "test loss": f"{r['test_loss']:.4f}",
            "final loss": f"{r['final_loss']:.4f}",
            "wall s": f"{r['wall_s']:.1f}",
            "ms/step": f"{r['ms_per_step']:.1f}",
        }
        if target is not None:
            step = _first_reaching(r["accuracy_curve"], target)
            row[f"first >= {100 * target:.1f}% at step"] = str(step) if step else "never"
        rows.append(row)
    return rows


def markdown_table(rows):
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def text_table(rows):
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    out = ["  ".join(c.ljust(widths[c]) for c in cols)]
    out += ["  ".join(str(r[c]).ljust(widths[c]) for c in cols) for r in rows]
    return "\n".join(out)


def agreement(result):
    import numpy as np

    a = np.asarray(result["legacy"]["losses"])
    b = np.asarray(result["keras"]["losses"])
    return {
        "first_loss_diff": float(abs(a[0] - b[0])),
        "max_loss_diff": float(np.max(np.abs(a - b))),
        "accuracy_diff": abs(result["legacy"]["test_accuracy"]
                             - result["keras"]["test_accuracy"]),
    }


def block(model, profile, result, rows, when):
    cfg = result["config"]
    agree = agreement(result)
    lines = [
        f"### `{profile.name}` profile: {model}-{profile.units} "
        f"({cfg['runner']}, {model_cell(model)})",
        "",
        f"Run {when}; {_machine()}; {_versions()}.",
        f"Data: first {cfg['train_size']} training images, first {cfg['test_size']} test "
        f"images; {cfg['steps']} steps of batch {cfg['batch_size']} "
        f"({cfg['steps'] * cfg['batch_size'] / cfg['train_size']:.1f} epochs), "
        f"{cfg['optimizer']} lr {cfg['learning_rate']:g}, seed {cfg['seed']}.",
        "",
        markdown_table(rows),
        "",
        f"Agreement: |first loss difference| {agree['first_loss_diff']:.2g}, max |loss "
        f"difference| over the {cfg['steps']} steps {agree['max_loss_diff']:.2g}, "
        f"|test accuracy difference| {100 * agree['accuracy_diff']:.2f} points.",
    ]
    curves = [result[s]["accuracy_curve"] for s in ("legacy", "keras")]
    if len(curves[0]) > 1:
        lines += ["", "Test accuracy during training (step: TF1 graph / Keras 3): " + ", ".join(
            f"{s}: {100 * a:.2f} / {100 * b:.2f}"
            for (s, a), (_, b) in zip(*curves)) + "."]
    return "\n".join(lines)


def model_cell(model):
    from tools.proof.accuracy import MODELS

    return MODELS[model][0]


def update_markdown(path, key, text):
    """Replace (or append) the block between ``<!-- accuracy:KEY -->`` markers.

    ``KEY`` is ``profile:model:steps``: a run with other steps is kept beside it.
    """
    path = Path(path)
    start, end = f"<!-- accuracy:{key} -->", f"<!-- /accuracy:{key} -->"
    content = path.read_text() if path.exists() else HEADER
    new = f"{start}\n{text}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(content):
        content = pattern.sub(lambda _: new, content)
    else:
        content = content.rstrip("\n") + "\n\n" + new + "\n"
    # keep the blocks in a stable order: ci before full, then lstm, gru, bilstm
    path.write_text(_sorted_blocks(content))


def _sorted_blocks(content):
    from tools.proof.accuracy import MODELS, PROFILES

    pattern = re.compile(r"<!-- accuracy:(\w+):(\w+):(\d+) -->.*?"
                         r"<!-- /accuracy:\1:\2:\3 -->\n?", re.S)
    blocks = {(m.group(1), m.group(2), int(m.group(3))): m.group(0).rstrip("\n")
              for m in pattern.finditer(content)}
    if not blocks:
        return content
    head = content[:pattern.search(content).start()].rstrip("\n")
    tail = pattern.sub("", content[pattern.search(content).start():]).strip("\n")
    order = sorted(blocks, key=lambda k: (list(PROFILES).index(k[0]) if k[0] in PROFILES
                                          else 99, list(MODELS).index(k[1])
                                          if k[1] in MODELS else 99, k[2]))
    out = head + "\n\n" + "\n\n".join(blocks[k] for k in order) + "\n"
    return out + ("\n" + tail + "\n" if tail else "")


def main(argv=None):
    from tools.proof import accuracy

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(accuracy.PROFILES), default="ci")
    parser.add_argument("--models", default="lstm,gru,bilstm",
                        help="comma-separated subset of " + ",".join(accuracy.MODELS))
    parser.add_argument("--steps", type=int, default=None,
                        help="training steps per model (default: the profile's)")
    parser.add_argument("--eval-every", type=int, default=None,
                        help="also evaluate every N steps (default: the profile's)")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"),
                        help="markdown file to write/update ('' to skip)")
    parser.add_argument("--json", default=None, help="also dump the raw results here")
    args = parser.parse_args(argv)

    profile = accuracy.PROFILES[args.profile]
    if args.eval_every is not None:
        import dataclasses

        profile = dataclasses.replace(profile, eval_every=args.eval_every or None)
    model_names = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in model_names if m not in accuracy.MODELS]
    if unknown:
        parser.error(f"unknown models {unknown}; expected some of {list(accuracy.MODELS)}")
    target = TARGET if profile.eval_every else None

    data = accuracy.load_profile_data(profile)
    all_rows, raw = [], {}
    for model in model_names:
        print(f"[{profile.name}] training {model}-{profile.units} ...", flush=True)
        result = accuracy.run_profile(profile, model, steps=args.steps, data=data)
        when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        rows = table_rows(model, profile, result, target)
        print(text_table(rows), flush=True)
        print("agreement:", agreement(result), flush=True)
        all_rows += rows
        raw[model] = result
        if args.out:
            update_markdown(args.out, f"{profile.name}:{model}:{result['config']['steps']}",
                            block(model, profile, result, rows, when))
        if args.json:
            Path(args.json).write_text(json.dumps(raw, indent=1))
    print()
    print(f"{profile.name} profile; {_machine()}; {_versions()}")
    print(text_table(all_rows))
    if args.out:
        print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
