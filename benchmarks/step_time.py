"""Train-step time of one model on every path, measured side by side (interleaved).

The same model (LSTM-128 on row-MNIST: 28 steps of 28 pixels, batch 128, Adam lr 1e-3;
plus GRU-128 and bidirectional LSTM-128 variants), from the same TF1 initial weights,
trained on the same batches, on five paths:

* ``tf1``: the TF1 graph (``legacy_compat`` cells and runner, TF1's ``AdamOptimizer``,
  ``Session.run([loss, train_op])``: :func:`tools.proof.pipelines.build_legacy_graph`);
* ``keras-tf`` / ``keras-jax`` / ``keras-torch``: the Keras 3 program that
  ``rnn-migrate port --to keras`` writes for the TF1 tutorial (its ``build_model()`` and
  ``compile_model()``, trained with ``train_on_batch`` as its ``main()`` does), on each
  Keras backend (one process per backend: the backend is fixed per process);
* ``torch-native``: ``torch.nn.LSTM`` / ``GRU`` + ``Linear`` with the same weights and
  ``torch.optim.Adam(eps=1e-8)`` (``torch.nn.GRU`` applies the reset gate after the
  hidden matmul, TF1's ``GRUCell`` before it: the GRU row is the same size of work, not
  the same function).

Each path lives in its own worker process, started once; the driver then runs
``--rounds`` rounds, and in every round each worker in turn times ``--steps`` training
steps while the others wait idle. Every path thus meets the same machine load; the table
shows the median over rounds of the per-round mean ms per step, and the ratio of every
path to the TF1 graph. Warm-up steps (graph building, tracing, XLA compilation) are not
timed. Every path records its loss at every step: the table shows the last one and its
difference from the TF1 graph's (the paths train the same weights on the same batches).

``--candidates`` instead measures, in one process and interleaved the same way, the TF1
graph against variants of the Keras model on TF (unrolled or not, ``train_on_batch``
or a plain ``tf.function`` step, ``jit_compile``, ``return_sequences=False``): where the
Keras side's time goes (``--units 4``: the same graphs with next to no arithmetic, so the
per-step overheads stand out). ``--to-accuracy 0.985`` trains the ported program (``keras-tf``)
on all 60,000 training images and evaluates the 10,000 test images every
``--eval-every`` steps until it reaches the target or ``--cap-minutes`` pass.

Results are printed and written into ``BENCHMARKS.md`` (``--out``; one block per mode,
replaced when rerun)::

    .venv/bin/python benchmarks/step_time.py            # 3 models x 5 paths (~14 min)
    .venv/bin/python benchmarks/step_time.py --quick    # LSTM only, fewer rounds (~3 min)
    .venv/bin/python benchmarks/step_time.py --candidates
    .venv/bin/python benchmarks/step_time.py --to-accuracy 0.985
"""
import argparse
import datetime
import json
import os
import pickle
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PATHS = ("tf1", "keras-tf", "keras-jax", "keras-torch", "torch-native")
MODEL_NAMES = ("lstm", "gru", "bilstm")
UNITS, BATCH, LEARNING_RATE, SEED = 128, 128, 1e-3, 0
WARMUP = 3

# The three TF1 programs: the bundled tutorial (BasicLSTMCell + static_rnn) and two
# edits of it, ported by the porter like any user program.
_LSTM = ("    lstm_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)\n"
         "    outputs, _ = rnn.static_rnn(lstm_cell, rows, dtype=tf.float32)\n")
_EDITS = {
    "lstm": [],
    "gru": [(_LSTM, "    gru_cell = rnn.GRUCell(num_hidden)\n"
                    "    outputs, _ = tf.nn.dynamic_rnn(gru_cell, images, dtype=tf.float32)\n"),
            ("outputs[-1], W_out", "outputs[:, -1, :], W_out")],
    "bilstm": [(_LSTM, "    fw_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)\n"
                       "    bw_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)\n"
                       "    outputs, _, _ = rnn.static_bidirectional_rnn(fw_cell, bw_cell, "
                       "rows, dtype=tf.float32)\n"),
               ("tf.random_normal([num_hidden, num_classes])",
                "tf.random_normal([2 * num_hidden, num_classes])")],
}
MARK = "step_time"


# --------------------------------------------------------------------------------------
# setup (driver): the programs, the shared initial weights and batches
# --------------------------------------------------------------------------------------
def tf1_program(model, units=UNITS):
    """The TF1 program of ``model``: the bundled tutorial, edited for GRU / BiLSTM (and
    ``num_hidden = units``)."""
    from tools.demo import tutorial_source, with_units

    source = with_units(tutorial_source(), units)
    for old, new in _EDITS[model]:
        if old not in source:
            raise RuntimeError(f"the tutorial no longer contains {old!r}: update _EDITS")
        source = source.replace(old, new)
    return source


def prepare(model, steps, workdir=None, full=False, units=UNITS):
    """Port ``model``'s TF1 program and draw the shared initial values and batch order.

    Returns the setup dict; with ``workdir``, also saves it (``<model>.pkl``, what the
    workers load) and returns ``(setup, path)``. ``full``: the whole training and test
    set (for --to-accuracy) instead of the batches only."""
    import numpy as np

    from legacy_compat.mnist import load_mnist_npz
    from tools.porter.keras.recognize import recognize
    from tools.porter.keras.writer import port_to_keras
    from tools.proof import accuracy, pipelines

    source = tf1_program(model, units)
    found = recognize(source, filename=f"{model}.py")
    ported, _, unconverted = port_to_keras(source, filename=f"{model}.py")
    if not found.complete or unconverted or ported == source:
        raise RuntimeError(f"{model}: the porter did not port the program: {unconverted}")
    spec, runner = found.spec, found.runner
    legacy = pipelines.build_legacy_graph(spec, found.steps, runner, training=True, optimize=True)
    shapes = {name: tuple(var.shape.as_list()) for name, var in legacy.all_variables.items()}
    values = pipelines.tf1_initial_values(shapes, np.random.default_rng([SEED, 0]))
    rnn, readout = pipelines.split_tf1_values(spec, runner, values)
    mnist = load_mnist_npz()
    indices = accuracy.batch_indices(len(mnist["x_train"]), steps, BATCH,
                                     np.random.default_rng([SEED, 1]))
    setup = dict(model=model, spec=spec, runner=runner, time_steps=found.steps,
                 ported=ported, values=values, rnn=rnn, readout=readout,
                 learning_rate=found.learning_rate or LEARNING_RATE)
    if full:
        setup.update(train_x=accuracy.prepare_images(mnist["x_train"], spec),
                     train_y=accuracy.one_hot(mnist["y_train"], 10),
                     test_x=accuracy.prepare_images(mnist["x_test"], spec),
                     test_y=accuracy.one_hot(mnist["y_test"], 10), indices=indices)
    else:
        flat = indices.reshape(-1)
        x = accuracy.prepare_images(mnist["x_train"][flat], spec)
        y = accuracy.one_hot(mnist["y_train"][flat], spec.num_classes)
        setup.update(batch_x=x.reshape(indices.shape + x.shape[1:]),
                     batch_y=y.reshape(indices.shape + y.shape[1:]))
    if workdir is None:
        return setup
    path = Path(workdir) / f"{model}.pkl"
    with open(path, "wb") as handle:
        pickle.dump(setup, handle)
    return setup, path


# --------------------------------------------------------------------------------------
# the paths (workers): build once, then step(x, y) -> loss
# --------------------------------------------------------------------------------------
def keras_path(setup):
    """The ported program's model, compiled as its ``compile_model()``, TF1's weights."""
    from modern import models
    from tools.demo import load_ported

    module = load_ported(setup["ported"])
    model = module.compile_model(module.build_model())
    models.set_tf1_weights(model, setup["spec"], setup["rnn"], setup["readout"])

    def step(x, y):
        return float(model.train_on_batch(x, y)[0])

    def predict(x):
        import numpy as np

        return np.asarray(model.predict_on_batch(x))

    return step, predict


def tf1_path(setup):
    from tools.proof import pipelines

    legacy = pipelines.build_legacy_graph(setup["spec"], setup["time_steps"],
                                          setup["runner"], training=True, optimize=True)
    labels, lr, loss, train_op, reset = legacy.training["adam"]
    legacy.set_values(setup["values"])
    legacy.session.run(reset)
    feed = {lr: setup["learning_rate"]}

    def step(x, y):
        return float(legacy.run([loss, train_op], x, extra_feed={labels: y, **feed})[0])

    def predict(x):
        return legacy.run(legacy.outputs["logits"], x)

    return step, predict


def _torch_weights(setup):
    """TF1's values -> ``{torch parameter name: array}`` for nn.LSTM / nn.GRU + Linear."""
    import numpy as np

    spec = setup["spec"]
    cell = spec.cells[0]
    inputs = spec.input_size
    out = {}
    for suffix, direction in zip(("", "_reverse"), spec.directions):
        prefix = f"{direction}/" if spec.bidirectional else ""
        rnn = setup["rnn"]
        if cell.cell_type == "BasicLSTMCell":
            kernel, bias = (rnn[f"{prefix}basic_lstm_cell/{n}"] for n in ("kernel", "bias"))
            i, j, f, o = np.split(kernel, 4, axis=1)  # TF1's gate order i, j, f, o
            bi, bj, bf, bo = np.split(bias, 4)
            gates = np.concatenate([i, f, j, o], axis=1)  # torch's order i, f, g, o
            b_ih = np.concatenate([bi, bf + cell.forget_bias, bj, bo])
        elif cell.cell_type == "GRUCell":
            gk, gb = rnn[f"{prefix}gru_cell/gates/kernel"], rnn[f"{prefix}gru_cell/gates/bias"]
            ck, cb = (rnn[f"{prefix}gru_cell/candidate/{n}"] for n in ("kernel", "bias"))
            gates = np.concatenate([gk, ck], axis=1)  # r, u(z), candidate(n)
            b_ih = np.concatenate([gb, cb])
        else:
            raise ValueError(f"torch-native has no mapping for {cell.cell_type}")
        out[f"weight_ih_l0{suffix}"] = gates[:inputs].T
        out[f"weight_hh_l0{suffix}"] = gates[inputs:].T
        out[f"bias_ih_l0{suffix}"] = b_ih
        out[f"bias_hh_l0{suffix}"] = np.zeros_like(b_ih)
    return out


def torch_native_path(setup):
    import numpy as np
    import torch

    spec = setup["spec"]
    cell = spec.cells[0]
    kind = torch.nn.LSTM if cell.cell_type == "BasicLSTMCell" else torch.nn.GRU
    rnn = kind(spec.input_size, cell.units, batch_first=True,
               bidirectional=spec.bidirectional)
    readout = torch.nn.Linear(spec.output_size, spec.num_classes)
    with torch.no_grad():
        for name, value in _torch_weights(setup).items():
            getattr(rnn, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
        readout.weight.copy_(torch.from_numpy(np.ascontiguousarray(setup["readout"][0].T)))
        readout.bias.copy_(torch.from_numpy(setup["readout"][1]))
    params = list(rnn.parameters()) + list(readout.parameters())
    optimizer = torch.optim.Adam(params, lr=setup["learning_rate"], betas=(0.9, 0.999),
                                 eps=1e-8)

    def logits_of(x):
        return readout(rnn(x)[0][:, -1, :])

    def step(x, y):
        logits = logits_of(torch.from_numpy(x))
        loss = -(torch.from_numpy(y) * torch.log_softmax(logits, dim=-1)).sum(-1).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return float(loss.item())

    def predict(x):
        with torch.no_grad():
            return logits_of(torch.from_numpy(x)).numpy()

    return step, predict


BUILDERS = {"tf1": tf1_path, "keras": keras_path, "torch-native": torch_native_path}


def worker(path_name, setup_file):
    """A worker: build ``path_name`` once, then answer ``run N`` lines on stdin with one
    JSON line ``{"ms": [...], "losses": [...]}`` (N timed training steps)."""
    with open(setup_file, "rb") as handle:
        setup = pickle.load(handle)
    if os.environ.get("BENCH_TORCH_THREADS"):
        import torch

        torch.set_num_threads(int(os.environ["BENCH_TORCH_THREADS"]))
    build = BUILDERS["keras" if path_name.startswith("keras-") else path_name]
    step, _ = build(setup)
    batch_x, batch_y = setup["batch_x"], setup["batch_y"]
    done = 0
    print(json.dumps({"ready": path_name}), flush=True)
    for line in sys.stdin:
        count = int(line.split()[1])
        ms, losses = [], []
        for _ in range(count):
            start = time.perf_counter()
            losses.append(step(batch_x[done], batch_y[done]))
            ms.append(1000.0 * (time.perf_counter() - start))
            done += 1
        print(json.dumps({"ms": ms, "losses": losses}), flush=True)


class Worker:
    def __init__(self, path_name, setup_file, torch_threads=None):
        env = dict(os.environ)
        if path_name.startswith("keras-"):
            env["KERAS_BACKEND"] = {"keras-tf": "tensorflow", "keras-jax": "jax",
                                    "keras-torch": "torch"}[path_name]
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        if path_name in ("keras-torch", "torch-native"):
            # torch's OpenMP threads spin at their barriers: on a shared machine that
            # made a step 10-30x slower (measured); passive waiting does not
            env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            if torch_threads:
                env["BENCH_TORCH_THREADS"] = str(torch_threads)
        self.name = path_name
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", path_name,
             str(setup_file)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, env=env, cwd=str(ROOT))
        self._read()  # built and ready

    def _read(self):
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"worker {self.name} exited (rc {self.proc.wait()}); "
                                   "rerun it alone with --worker to see why")
            if line.startswith("{"):
                return json.loads(line)

    def run(self, count):
        self.proc.stdin.write(f"run {count}\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def measure(model, paths, rounds, steps, workdir, torch_threads=None):
    """Start one worker per path (one after the other), warm each up, then ``rounds``
    rounds of ``steps`` timed steps per path in turn. Returns ``{path: result}``."""
    import numpy as np

    _, setup_file = prepare(model, WARMUP + rounds * steps, workdir)
    workers = []
    try:
        for name in paths:
            workers.append(Worker(name, setup_file, torch_threads))
            print(f"  {model}: {name} ready", flush=True)
        losses = {w.name: list(w.run(WARMUP)["losses"]) for w in workers}
        per_round = {w.name: [] for w in workers}
        for index in range(rounds):
            order = workers if index % 2 == 0 else workers[::-1]  # alternate who goes first
            for w in order:
                reply = w.run(steps)
                per_round[w.name].append(float(np.mean(reply["ms"])))
                losses[w.name].extend(reply["losses"])
    finally:
        for w in workers:
            w.close()
    results = {}
    for name in paths:
        results[name] = dict(ms=float(np.median(per_round[name])),
                             ms_min=float(np.min(per_round[name])),
                             rounds=per_round[name], losses=losses[name])
    return results


# --------------------------------------------------------------------------------------
# --candidates: the Keras side's variants on TF, in one process
# --------------------------------------------------------------------------------------
def _candidate_model(setup, unroll, return_sequences):
    import keras

    from modern import models

    spec = setup["spec"]
    cell = spec.cells[0]
    name = None if spec.bidirectional else "rnn"
    layer = (keras.layers.GRU(cell.units, reset_after=False, return_sequences=return_sequences,
                              unroll=unroll, name=name) if cell.cell_type == "GRUCell" else
             keras.layers.LSTM(cell.units, unit_forget_bias=False, unroll=unroll,
                               return_sequences=return_sequences, name=name))
    x = keras.Input((setup["time_steps"], spec.input_size))
    if spec.bidirectional:
        layer = keras.layers.Bidirectional(layer, name="rnn")
    sequence = layer(x)
    last = sequence[:, -1, :] if return_sequences else sequence
    model = keras.Model(x, keras.layers.Dense(spec.num_classes, name="readout")(last))
    models.set_tf1_weights(model, spec, setup["rnn"], setup["readout"])
    return model


def candidate_paths(setup):
    """``{name: (description, step)}``: the TF1 graph and the Keras variants on TF."""
    import keras
    import tensorflow as tf

    from tools.proof import harness

    def compiled(unroll, jit=False, return_sequences=True):
        model = _candidate_model(setup, unroll, return_sequences)
        model.compile(optimizer=harness.keras_optimizer("adam", setup["learning_rate"]),
                      loss=keras.losses.CategoricalCrossentropy(from_logits=True),
                      metrics=[keras.metrics.CategoricalAccuracy()], jit_compile=jit)
        return lambda x, y: float(model.train_on_batch(x, y)[0])

    def plain(unroll):
        model = _candidate_model(setup, unroll, True)
        opt = harness.keras_optimizer("adam", setup["learning_rate"])
        variables = model.trainable_variables
        opt.build(variables)

        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                value = harness.keras_loss(y, model(x, training=True))
            opt.apply_gradients(zip(tape.gradient(value, variables), variables))
            return value

        return lambda x, y: float(train_step(tf.constant(x), tf.constant(y)))

    return {
        "tf1": ("TF1 graph, Session.run([loss, train_op])", tf1_path(setup)[0]),
        "tob": ("train_on_batch, while_loop (the port before this change)", compiled(False)),
        "tob-unroll": ("train_on_batch, unroll=True (the port now)", compiled(True)),
        "tob-jit": ("train_on_batch, while_loop, jit_compile=True", compiled(False, True)),
        "tob-unroll-jit": ("train_on_batch, unroll=True, jit_compile=True",
                           compiled(True, True)),
        "tob-last": ("train_on_batch, return_sequences=False (no slice)",
                     compiled(False, return_sequences=False)),
        "tf.function": ("plain tf.function step (the demo before this change)", plain(False)),
        "tf.function-unroll": ("plain tf.function step, unroll=True", plain(True)),
    }


def measure_candidates(model, rounds, steps, units=UNITS):
    import numpy as np

    setup = prepare(model, WARMUP + rounds * steps, units=units)
    paths = candidate_paths(setup)
    x, y = setup["batch_x"], setup["batch_y"]
    done = {name: 0 for name in paths}
    per_round = {name: [] for name in paths}
    cpu_round = {name: [] for name in paths}

    def run(name, count):
        step = paths[name][1]
        for _ in range(count):
            step(x[done[name]], y[done[name]])
            done[name] += 1

    for name in paths:
        run(name, WARMUP)
    names = list(paths)
    for index in range(rounds):
        for name in (names if index % 2 == 0 else names[::-1]):
            wall, cpu = time.perf_counter(), time.process_time()
            run(name, steps)
            per_round[name].append(1000.0 * (time.perf_counter() - wall) / steps)
            cpu_round[name].append(1000.0 * (time.process_time() - cpu) / steps)
    return {name: dict(description=paths[name][0], ms=float(np.median(per_round[name])),
                       ms_min=float(np.min(per_round[name])),
                       cpu_ms=float(np.median(cpu_round[name])))
            for name in paths}


# --------------------------------------------------------------------------------------
# --to-accuracy: the ported program on full MNIST until the target test accuracy
# --------------------------------------------------------------------------------------
def to_accuracy(target, cap_minutes, eval_every, max_steps):
    import numpy as np

    setup = prepare("lstm", max_steps, full=True)
    step, predict = keras_path(setup)
    train_x, train_y = setup["train_x"], setup["train_y"]
    test_x, test_y = setup["test_x"], setup["test_y"]
    curve, train_s, reached = [], 0.0, None
    started = time.perf_counter()
    for done, idx in enumerate(setup["indices"], start=1):
        begin = time.perf_counter()
        step(train_x[idx], train_y[idx])
        train_s += time.perf_counter() - begin
        if done % eval_every == 0:
            logits = np.concatenate([predict(test_x[i:i + 1000])
                                     for i in range(0, len(test_x), 1000)])
            acc = float(np.mean(np.argmax(logits, 1) == np.argmax(test_y, 1)))
            curve.append((done, acc))
            print(f"  step {done}: test accuracy {acc:.4f} ({train_s:.0f} s training)",
                  flush=True)
            if acc >= target:
                reached = dict(step=done, train_s=train_s,
                               wall_s=time.perf_counter() - started, accuracy=acc)
                break
        if time.perf_counter() - started > 60 * cap_minutes:
            break
    return dict(target=target, reached=reached, curve=curve, steps_run=done,
                train_s=train_s, wall_s=time.perf_counter() - started,
                cap_minutes=cap_minutes, eval_every=eval_every)


# --------------------------------------------------------------------------------------
# reporting
# --------------------------------------------------------------------------------------
def machine_line():
    import keras
    import numpy as np
    import tensorflow as tf

    versions = [f"TensorFlow {tf.__version__}", f"Keras {keras.__version__}",
                f"numpy {np.__version__}"]
    for name in ("jax", "torch"):
        try:
            versions.append(f"{name} {__import__(name).__version__}")
        except ImportError:
            pass
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = ", load average before the run %.1f" % os.getloadavg()[0] if hasattr(
        os, "getloadavg") else ""
    return (f"Run {now}; {os.cpu_count()} CPU cores ({platform.machine()}){load}, "
            f"{platform.platform()}, Python {platform.python_version()}; "
            + ", ".join(versions) + ".")


def _fmt(value):
    return f"{value:.1f}"


def _table(header, rows):
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(row) + " |" for row in rows] + [""]


def step_time_block(results, args, machine):
    lines = [f"### Train step, ms (`{command(args)}`)", "", machine,
             f"Batch {BATCH}, {UNITS} units, 28 steps x 28 pixels, Adam lr {LEARNING_RATE}; "
             f"{args.rounds} rounds x {args.steps} steps per path, interleaved; "
             f"{WARMUP} warm-up steps untimed. *ms/step*: median over rounds of the "
             "round's mean; *min*: the fastest round; *ratio*: ms/step / the TF1 graph's; "
             "*first* / *last loss*: the loss of the first / last step, as a difference "
             "from the TF1 graph's (all paths train the same weights on the same batches). "
             "The torch paths run with `OMP_WAIT_POLICY=PASSIVE`"
             + (f" and {args.torch_threads} thread(s)" if args.torch_threads else "")
             + ".", ""]
    for model, per_path in results.items():
        base = per_path["tf1"]
        rows = [[name, _fmt(r["ms"]), _fmt(r["ms_min"]), f"{r['ms'] / base['ms']:.2f}",
                 f"{abs(r['losses'][0] - base['losses'][0]):.1e}", f"{r['losses'][-1]:.6f}",
                 f"{abs(r['losses'][-1] - base['losses'][-1]):.1e}"]
                for name, r in ((n, per_path[n]) for n in PATHS if n in per_path)]
        lines += [f"**{model}** (TF1: {per_path['_runner']})", ""] + _table(
            ["path", "ms/step", "min", "ratio to TF1", "first loss: abs. diff. to TF1",
             "last loss", "abs. diff. to TF1"], rows)
    return "\n".join(lines).rstrip() + "\n"


def candidates_block(results, args, machine):
    lines = [f"### Where the Keras side's time goes (`{command(args)}`)", "", machine,
             f"{args.units} units, batch {BATCH}. "
             f"One process, {args.rounds} rounds x {args.steps} steps per variant, "
             "interleaved. *cpu ms*: process CPU time per step (all threads), less "
             "sensitive to other load than wall time.", ""]
    for model, per_path in results.items():
        base = per_path["tf1"]
        rows = [[f"{name}: {r['description']}", _fmt(r["ms"]), _fmt(r["ms_min"]),
                 f"{r['ms'] / base['ms']:.2f}", _fmt(r["cpu_ms"]),
                 f"{r['cpu_ms'] / base['cpu_ms']:.2f}"] for name, r in per_path.items()]
        lines += [f"**{model}**", ""] + _table(
            ["variant", "ms/step", "min", "ratio to TF1", "cpu ms", "cpu ratio"], rows)
    return "\n".join(lines).rstrip() + "\n"


def accuracy_block(result, args, machine):
    lines = [f"### Time to {result['target']:.1%} test accuracy (`{command(args)}`)", "",
             machine, "The ported program (`keras-tf`: `build_model()`, `compile_model()`, "
             "`train_on_batch`) on all 60,000 training images, batch 128, the 10,000 test "
             f"images evaluated every {result['eval_every']} steps; cap "
             f"{result['cap_minutes']} minutes.", ""]
    if result["reached"]:
        r = result["reached"]
        lines.append(f"Reached {r['accuracy']:.2%} at step {r['step']} "
                     f"({r['step'] * BATCH / 60000:.1f} epochs): **{r['train_s']:.0f} s of "
                     f"training** ({1000 * r['train_s'] / r['step']:.1f} ms/step), "
                     f"{r['wall_s']:.0f} s wall including the evaluations.")
    else:
        lines.append(f"Not reached: {result['steps_run']} steps in {result['wall_s']:.0f} s "
                     f"(the cap); the best test accuracy was "
                     f"{max((a for _, a in result['curve']), default=float('nan')):.2%}.")
    curve = ", ".join(f"{s}: {a:.2%}" for s, a in result["curve"])
    lines += ["", f"Test accuracy by step: {curve}."]
    return "\n".join(lines) + "\n"


def command(args):
    return "python benchmarks/step_time.py " + " ".join(args.argv)


SECTION = "## Train-step time: TF1 graph vs the Keras port on every backend (`benchmarks/step_time.py`)"


def write_block(out, key, block):
    from blocks import write_block as write

    write(out, SECTION, f"<!-- {MARK}:{key} -->", f"<!-- /{MARK}:{key} -->", block)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        return worker(argv[1], argv[2])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="LSTM only, 5 rounds of 10 steps (default: 3 models, 7 x 20)")
    parser.add_argument("--models", default=None, help=f"comma list of {MODEL_NAMES}")
    parser.add_argument("--paths", default=",".join(PATHS), help=f"comma list of {PATHS}")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--steps", type=int, default=None, help="timed steps per round")
    parser.add_argument("--candidates", action="store_true",
                        help="time the Keras-on-TF variants against the TF1 graph instead")
    parser.add_argument("--to-accuracy", type=float, default=None, metavar="TARGET",
                        help="train the ported program on full MNIST to this test accuracy")
    parser.add_argument("--cap-minutes", type=float, default=15.0)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--units", type=int, default=UNITS,
                        help="--candidates only: RNN units (4: per-step overhead alone)")
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="torch.set_num_threads for the torch paths (default: torch's)")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    args.argv = argv
    models = (args.models.split(",") if args.models else
              ["lstm"] if args.quick else list(MODEL_NAMES))
    args.rounds = args.rounds or (5 if args.quick else 7)
    args.steps = args.steps or (10 if args.quick else 20)
    unknown = [m for m in models if m not in MODEL_NAMES]
    paths = args.paths.split(",")
    unknown += [p for p in paths if p not in PATHS]
    if unknown or "tf1" not in paths:
        parser.error(f"unknown models/paths {unknown} (and tf1 is needed: it is the baseline)")
    machine = machine_line()
    with tempfile.TemporaryDirectory() as workdir:
        if args.to_accuracy is not None:
            result = to_accuracy(args.to_accuracy, args.cap_minutes, args.eval_every,
                                 max_steps=60000)
            key, block = "to-accuracy", accuracy_block(result, args, machine)
        elif args.candidates:
            results = {m: measure_candidates(m, args.rounds, args.steps, args.units)
                       for m in models}
            key, block = (f"candidates:{','.join(models)}"
                          + ("" if args.units == UNITS else f":{args.units}"),
                          candidates_block(results, args, machine))
        else:
            results = {}
            for model in models:
                results[model] = measure(model, paths, args.rounds, args.steps, workdir,
                                         args.torch_threads)
                with open(Path(workdir) / f"{model}.pkl", "rb") as handle:
                    results[model]["_runner"] = pickle.load(handle)["runner"]
            key, block = ("paths:" + ",".join(models), step_time_block(results, args, machine))
    print(block)
    if not args.no_write:
        write_block(args.out, key, block)
        print(f"wrote the block into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
