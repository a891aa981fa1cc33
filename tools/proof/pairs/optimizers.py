"""Migration pairs of TF1 training setups: optimizers, gradient clipping, learning-rate schedules.

What each TF1 construct becomes is :mod:`modern.optimizers`' table (``OPTIMIZERS``,
``CLIPPING``, ``SCHEDULES``, the one source of truth the porter reads too); every pair
here builds its Keras side FROM that table (``Target.keras_kwargs`` / ``Target.build``
on the TF1 call's arguments), so the proof proves the table.

The oracle is TF1's own optimizer code, still in TF 2.21 as ``tf.compat.v1.train.*``
(``apply_gradients`` in a ``tf.Graph`` run by ``tf.compat.v1.Session``), with TF1's own
``tf.clip_by_*`` and ``tf.compat.v1.train.exponential_decay`` / ``piecewise_constant``.

The problem (:func:`draw_problem`, seeded): least squares ``loss = mean((X W + b - Y)**2)``
with ``W`` [4, 3] and ``b`` [3] float32, whose gradient both sides compute with the same
formula and the same TF kernels (``2/(n k) X^T r``, ``2/(n k) sum(r)``, ``r = X W + b - Y``),
so the only thing that can differ is the update. Each case runs
:data:`tools.proof.tolerances.OPTIMIZER_STEPS` steps from the same start and compares the
whole parameter trajectory (every step's ``W`` and ``b``); the schedule pairs also compare
the learning rate each step used (TF1: the schedule tensor fetched in the step's own
``session.run``; Keras: ``optimizer.learning_rate`` before ``apply_gradients``) and the
step counters after the run (TF1's ``global_step``, Keras' ``iterations``).

Every case (:data:`CASES`, with those the limitations measure) is in ONE TF1 graph, built
once per process with the problem fed; a seed runs them all in one session
(:func:`tf1_trajectories`, cached). A pair proves one group of its cases per seed.
"""
import dataclasses
import functools
from typing import Optional, Tuple

import numpy as np
import tensorflow as tf

from tools.proof import limitations as lim
from tools.proof import tolerances
from tools.proof.pair import KerasSide, MigrationPair
from tools.proof.report import compare
from tools.proof.tolerances import Tolerance
from tools.proof.pipelines import new_session

_v1 = tf.compat.v1


@dataclasses.dataclass(frozen=True)
class Case:
    """One TF1 training setup: an optimizer call, optionally clipping and a schedule."""

    optimizer: str  # a key of modern.optimizers.OPTIMIZERS
    learning_rate: float
    options: Tuple[Tuple[str, object], ...] = ()  # TF1 constructor kwargs (not the lr)
    clip: Optional[Tuple[str, Tuple[Tuple[str, object], ...]]] = None  # CLIPPING key, kwargs
    schedule: Optional[Tuple[str, Tuple[Tuple[str, object], ...]]] = None  # SCHEDULES key
    epochs: Optional[Tuple[float, ...]] = None  # learning rates assigned, one per epoch
    gradient_scale: float = 1.0  # multiplies the gradient (tiny gradients: epsilon matters)


def draw_problem(seed):
    """``(X [8, 4], Y [8, 3], W0 [4, 3], b0 [3])`` float32."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(8, 4)).astype(np.float32)
    y = rng.normal(size=(8, 3)).astype(np.float32)
    return (x, y, rng.uniform(-0.5, 0.5, (4, 3)).astype(np.float32),
            rng.uniform(-0.5, 0.5, 3).astype(np.float32))


def _gradients(ops, x, y, w, b, scale):
    """d mean((x w + b - y)**2) / d(w, b), the same formula (and TF kernels) on both sides."""
    factor = np.float32(2.0 * scale / int(np.prod(tuple(y.shape))))
    residual = ops.subtract(ops.add(ops.matmul(x, w), b), y)
    return [ops.multiply(ops.matmul(ops.transpose(x), residual), factor),
            ops.multiply(ops.sum(residual, axis=0), factor)]


class _TFOps:
    """The few ops :func:`_gradients` needs, as TF1 graph ops."""

    matmul, add, subtract, multiply = tf.matmul, tf.add, tf.subtract, tf.multiply
    transpose = staticmethod(tf.transpose)

    @staticmethod
    def sum(value, axis):
        return tf.reduce_sum(value, axis=axis)


# ------------------------------------------------------------------------------------
# the cases: every setup the pairs prove, and those the limitations measure
# ------------------------------------------------------------------------------------
# Thresholds below the gradients' size (|dW| ~ 1, |db| ~ 0.5, elements ~ 0.3 at the start):
# clipping is active; a proof whose TF1 side never clipped fails as vacuous.
CASES = {
    "GradientDescentOptimizer": Case("GradientDescentOptimizer", 0.1),
    "MomentumOptimizer": Case("MomentumOptimizer", 0.05, (("momentum", 0.9),)),
    "MomentumOptimizer/nesterov": Case("MomentumOptimizer", 0.05,
                                       (("momentum", 0.9), ("use_nesterov", True))),
    "AdamOptimizer": Case("AdamOptimizer", 0.05),
    "AdagradOptimizer": Case("AdagradOptimizer", 0.1),
    "RMSPropOptimizer": Case("RMSPropOptimizer", 0.01),
    "RMSPropOptimizer/momentum": Case("RMSPropOptimizer", 0.01, (("momentum", 0.9),)),
    "RMSPropOptimizer/centered": Case("RMSPropOptimizer", 0.01, (
        ("momentum", 0.5), ("centered", True), ("decay", 0.8))),
    "AdadeltaOptimizer": Case("AdadeltaOptimizer", 1.0),
    "clip_by_global_norm": Case("GradientDescentOptimizer", 0.1, clip=(
        "clip_by_global_norm", (("clip_norm", 0.4),))),
    "clip_by_norm": Case("MomentumOptimizer", 0.05, (("momentum", 0.9),), clip=(
        "clip_by_norm", (("clip_norm", 0.2),))),
    "clip_by_value": Case("AdamOptimizer", 0.05, clip=(
        "clip_by_value", (("clip_value_min", -0.1), ("clip_value_max", 0.1)))),
    "exponential_decay": Case("GradientDescentOptimizer", 0.2, schedule=(
        "exponential_decay", (("decay_steps", 6), ("decay_rate", 0.5)))),
    "exponential_decay/staircase": Case("GradientDescentOptimizer", 0.2, schedule=(
        "exponential_decay", (("decay_steps", 6), ("decay_rate", 0.5), ("staircase", True)))),
    "piecewise_constant": Case("AdamOptimizer", 0.0, schedule=(
        "piecewise_constant", (("boundaries", (4, 12)), ("values", (0.05, 0.02, 0.005))))),
    # the PTB tutorial: GD on a variable lr, clip_by_global_norm, tf.assign per epoch
    "assign": Case("GradientDescentOptimizer", 0.0, clip=(
        "clip_by_global_norm", (("clip_norm", 0.4),)), epochs=(0.2, 0.05)),
    # measured by tools.proof.limitations (not proofs: the Keras side there is another one)
    "limitation/AdamOptimizer/tiny-gradients": Case("AdamOptimizer", 0.05,
                                                    gradient_scale=1e-6),
    "limitation/MomentumOptimizer/exponential_decay": Case(
        "MomentumOptimizer", 0.05, (("momentum", 0.9),),
        schedule=("exponential_decay", (("decay_steps", 6), ("decay_rate", 0.5)))),
    "limitation/clip_by_value/asymmetric": Case("GradientDescentOptimizer", 0.1, clip=(
        "clip_by_value", (("clip_value_min", -0.05), ("clip_value_max", 0.3)))),
}


def _epoch_starts(case, steps):
    """``{step: learning rate}`` at which an epoch starts (``case.epochs`` spread evenly)."""
    per_epoch = steps // len(case.epochs)
    return {i * per_epoch: value for i, value in enumerate(case.epochs)}


@dataclasses.dataclass(frozen=True)
class Trajectory:
    params: dict  # {"W": [N, 4, 3], "b": [N, 3]}: the parameters after each step
    learning_rates: np.ndarray  # [N]: the learning rate each step used
    steps: int  # the step counter after the run (TF1 global_step / Keras iterations)
    clipped: int  # steps whose gradients the clipping changed


# ------------------------------------------------------------------------------------
# TF1: the oracle (TF1's own optimizers, clipping and schedules)
# ------------------------------------------------------------------------------------
def _tf1_clip(clip, grads):
    name, kwargs = clip[0], dict(clip[1])
    if name == "clip_by_global_norm":
        return _v1.clip_by_global_norm(grads, **kwargs)[0]
    return [getattr(_v1, name)(g, **kwargs) for g in grads]


def _tf1_case(case, problem):
    x, y, w0, b0 = problem
    w, b = _v1.Variable(w0, name="W"), _v1.Variable(b0, name="b")
    step = _v1.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
    raw = _gradients(_TFOps, x, y, w, b, case.gradient_scale)
    grads = _tf1_clip(case.clip, raw) if case.clip else raw
    clipped = tf.reduce_any([tf.reduce_any(tf.not_equal(g, r)) for g, r in zip(grads, raw)])
    assign = None
    if case.epochs:
        learning_rate = _v1.Variable(0.0, trainable=False, name="lr")
        new_lr = _v1.placeholder(tf.float32, [], name="new_lr")
        assign = (_v1.assign(learning_rate, new_lr), new_lr)
    elif case.schedule:
        name, kwargs = case.schedule[0], dict(case.schedule[1])
        if name == "piecewise_constant":
            learning_rate = _v1.train.piecewise_constant(step, **kwargs)
        else:
            learning_rate = getattr(_v1.train, name)(case.learning_rate, step, **kwargs)
    else:
        learning_rate = tf.constant(case.learning_rate)
    optimizer = getattr(_v1.train, case.optimizer)(learning_rate=learning_rate,
                                                   **dict(case.options))
    train = optimizer.apply_gradients(zip(grads, [w, b]), global_step=step)
    lr_read = tf.identity(learning_rate)  # fetched with the step: the value it used
    return {"train": train, "lr": lr_read, "clipped": clipped, "W": w, "b": b,
            "step": step, "assign": assign}


@functools.lru_cache(maxsize=1)
def _tf1_graph():
    """One graph with every case of :data:`CASES`, the problem fed (built once)."""
    graph = tf.Graph()
    with graph.as_default():
        problem = (_v1.placeholder(tf.float32, [8, 4], "X"),
                   _v1.placeholder(tf.float32, [8, 3], "Y"),
                   _v1.placeholder(tf.float32, [4, 3], "W0"),
                   _v1.placeholder(tf.float32, [3], "b0"))
        built = {}
        for name, case in CASES.items():
            with _v1.variable_scope(name.replace("/", "_")):
                built[name] = _tf1_case(case, problem)
        init = _v1.global_variables_initializer()
    return graph, problem, built, init


@functools.lru_cache(maxsize=4)
def tf1_trajectories(seed, steps=tolerances.OPTIMIZER_STEPS):
    """``{case name: Trajectory}`` of TF1 for every case of :data:`CASES` on the seed's
    problem (one session; cached)."""
    graph, problem, built, init = _tf1_graph()
    feed = dict(zip(problem, draw_problem(seed)))
    history = {name: [] for name in CASES}
    with new_session(graph) as session:
        session.run(init, feed)
        for i in range(steps):
            for name, case in CASES.items():  # tf.assign at an epoch's start, before its steps
                if case.epochs and i in _epoch_starts(case, steps):
                    assign, new_lr = built[name]["assign"]
                    session.run(assign, {new_lr: _epoch_starts(case, steps)[i]})
            ran = session.run({n: (b["train"], b["lr"], b["clipped"]) for n, b in built.items()},
                              feed)
            params = session.run({n: (b["W"], b["b"]) for n, b in built.items()})
            for name in history:
                history[name].append((params[name], ran[name][1], ran[name][2]))
        counters = session.run({n: b["step"] for n, b in built.items()})
    return {name: _trajectory(history[name], counters[name]) for name in history}


def _trajectory(history, counter):
    return Trajectory({"W": np.stack([p[0] for p, _, _ in history]),
                       "b": np.stack([p[1] for p, _, _ in history])},
                      np.array([lr for _, lr, _ in history], np.float64), int(counter),
                      int(sum(bool(c) for _, _, c in history)))


# ------------------------------------------------------------------------------------
# Keras 3: built from modern.optimizers' table
# ------------------------------------------------------------------------------------
def keras_optimizer(case):
    """The Keras optimizer of ``case``, from the table (what the porter writes)."""
    from modern import optimizers as table

    learning_rate = case.epochs[0] if case.epochs else case.learning_rate
    if case.schedule:
        name, kwargs = case.schedule[0], dict(case.schedule[1])
        step = "global_step"  # TF1's step tensor: the table only checks it is given
        learning_rate = (table.SCHEDULES[name].build(step, **kwargs) if name ==
                         "piecewise_constant" else table.SCHEDULES[name].build(
                             learning_rate, step, **kwargs))
    settings = table.OPTIMIZERS[case.optimizer].keras_kwargs(learning_rate=learning_rate,
                                                             **dict(case.options))
    if case.clip:
        settings.update(table.CLIPPING[case.clip[0]].keras_kwargs("gradients",
                                                                  **dict(case.clip[1])))
    return table.OPTIMIZERS[case.optimizer].keras_class()(**settings)


def keras_trajectory(case, seed, optimizer=None, steps=tolerances.OPTIMIZER_STEPS):
    """Keras' trajectory of ``case`` (``optimizer``: another Keras optimizer to run it
    with, for the limitations' demonstrations)."""
    import keras
    from keras import ops

    from modern import optimizers as table

    x, y, w0, b0 = draw_problem(seed)
    w, b = keras.Variable(w0, name="W"), keras.Variable(b0, name="b")
    optimizer = optimizer if optimizer is not None else keras_optimizer(case)
    epochs = _epoch_starts(case, steps) if case.epochs else {}
    params, rates = [], []
    for i in range(steps):
        if i in epochs:  # sess.run(tf.assign(lr, v)) -> optimizer.learning_rate = v
            optimizer.learning_rate = table.SCHEDULES["assign"].keras_kwargs(
                "lr", epochs[i])["learning_rate"]
        rates.append(float(ops.convert_to_numpy(optimizer.learning_rate)))
        grads = _gradients(ops, x, y, w.value, b.value, case.gradient_scale)
        optimizer.apply_gradients(zip(grads, [w, b]))
        params.append((w.numpy(), b.numpy()))
    return Trajectory({"W": np.stack([p[0] for p in params]),
                       "b": np.stack([p[1] for p in params])},
                      np.array(rates, np.float64), int(ops.convert_to_numpy(optimizer.iterations)),
                      0)


def trajectory_diff(tf1, keras_side):
    """max |difference| of two trajectories' parameters."""
    return max(float(np.abs(tf1.params[k] - keras_side.params[k]).max()) for k in tf1.params)


# ------------------------------------------------------------------------------------
# the pairs
# ------------------------------------------------------------------------------------
def _equivalence_of(groups, schedule=False):
    """The proof of a pair: ``groups`` of case names, the seed picks one (every group is
    proven within len(groups) seeds; the default profile runs seeds 0 and 1, so a third
    group (RMSProp with momentum alone, whose code paths groups 0 and 1 cover: centered
    runs with momentum) runs in the thorough profile)."""
    def equivalence(seed):
        tf1_all = tf1_trajectories(seed)
        reports = {}
        for name in groups[seed % len(groups)]:
            case, tf1 = CASES[name], tf1_all[name]
            if case.clip and not tf1.clipped:
                raise AssertionError(f"{name} (seed {seed}): TF1's clipping never changed a "
                                     "gradient; the proof would be vacuous")
            ours = keras_trajectory(case, seed)
            context = {"case": name, "steps": len(tf1.learning_rates), "options":
                       dict(case.options), "clip": case.clip, "schedule": case.schedule,
                       "steps clipped (TF1)": tf1.clipped}
            reports[f"training/{name}"] = compare(
                tf1.params, ours.params, atol=tolerances.OPTIMIZER_TRAJECTORY[name],
                title="parameter trajectory", context=context)
            if schedule:
                reports[f"outputs/{name}/learning_rate"] = compare(
                    {"learning rate per step": tf1.learning_rates},
                    {"learning rate per step": ours.learning_rates},
                    atol=tolerances.LEARNING_RATE_SEQUENCE, title="learning rates",
                    context=context)
                reports[f"outputs/{name}/step_counter"] = compare(
                    {"global_step / iterations": tf1.steps},
                    {"global_step / iterations": ours.steps}, atol=0.0,
                    title="step counter", context=context)
        return reports
    equivalence.__qualname__ = f"_equivalence_of({groups!r})"  # what the docs name
    return equivalence


def _side(target, layer=None, notes=()):
    """The pair's Keras side, from the table entry ``target``."""
    settings = target.settings
    required = [f"{keras_name}=<TF1's {tf1_name}>: {target.reasons[keras_name]}"
                for tf1_name, keras_name in target.renames.items()
                if keras_name not in settings and keras_name in target.reasons]
    return KerasSide(layer=layer or target.keras, settings=settings,
                     reasons={k: target.reasons[k] for k in settings},
                     notes=tuple(required) + target.rename_notes() + tuple(notes)
                     + target.notes)


def _pair(name, target, groups, *, limitations=(), tf_versions="1.0-1.15 (tf.train)",
          layer=None, notes=(), schedule=False):
    groups = tuple((g,) if isinstance(g, str) else tuple(g) for g in groups)
    # the step counter is compared exactly; the learning rates at LEARNING_RATE_SEQUENCE
    tolerance = Tolerance(outputs=tolerances.LEARNING_RATE_SEQUENCE, training=max(
        tolerances.OPTIMIZER_TRAJECTORY[n] for g in groups for n in g))
    return MigrationPair(
        name=name, legacy_names=(target.name,), tf1_api=" / ".join(target.spellings),
        tf_versions=tf_versions, keras=_side(target, layer, notes), configs=None,
        limitations=tuple(limitations), exact=not limitations, tolerance=tolerance,
        equivalence=_equivalence_of(groups, schedule=schedule))


def _build_pairs():
    from modern.optimizers import CLIPPING, OPTIMIZERS, SCHEDULES

    opt = OPTIMIZERS
    return (
        _pair("GradientDescentOptimizer", opt["GradientDescentOptimizer"],
              ["GradientDescentOptimizer"]),
        _pair("MomentumOptimizer", opt["MomentumOptimizer"],
              ["MomentumOptimizer", "MomentumOptimizer/nesterov"],
              limitations=(lim.MOMENTUM_VARYING_LEARNING_RATE,
                           lim.TF1_SPARSE_UPDATES_ARE_LAZY)),
        _pair("AdamOptimizer", opt["AdamOptimizer"], ["AdamOptimizer"],
              limitations=(lim.KERAS_DEFAULT_EPSILON, lim.KERAS_SPARSE_GRADIENT_SQUARES)),
        _pair("AdagradOptimizer", opt["AdagradOptimizer"], ["AdagradOptimizer"],
              limitations=(lim.KERAS_SPARSE_GRADIENT_SQUARES,)),
        _pair("RMSPropOptimizer", opt["RMSPropOptimizer"],
              ["RMSPropOptimizer", "RMSPropOptimizer/centered", "RMSPropOptimizer/momentum"],
              limitations=(lim.KERAS_RMSPROP_INITIAL_MEAN_SQUARE,
                           lim.TF1_SPARSE_UPDATES_ARE_LAZY)),
        _pair("AdadeltaOptimizer", opt["AdadeltaOptimizer"], ["AdadeltaOptimizer"],
              limitations=(lim.KERAS_DEFAULT_EPSILON,)),
        _pair("clip_by_global_norm", CLIPPING["clip_by_global_norm"], ["clip_by_global_norm"],
              tf_versions="0.x-1.15", layer="keras.optimizers.<optimizer>"),
        _pair("clip_by_norm", CLIPPING["clip_by_norm"], ["clip_by_norm"],
              tf_versions="0.x-1.15", layer="keras.optimizers.<optimizer>"),
        _pair("clip_by_value", CLIPPING["clip_by_value"], ["clip_by_value"],
              tf_versions="0.x-1.15", layer="keras.optimizers.<optimizer>",
              limitations=(lim.CLIP_BY_VALUE_ASYMMETRIC,)),
        _pair("exponential_decay", SCHEDULES["exponential_decay"],
              ["exponential_decay", "exponential_decay/staircase"], schedule=True),
        _pair("piecewise_constant", SCHEDULES["piecewise_constant"], ["piecewise_constant"],
              schedule=True, tf_versions="1.0-1.15 (tf.train; piecewise_constant_decay in "
                                         "tf.compat.v1)"),
        _pair("assign learning rate per epoch", SCHEDULES["assign"], ["assign"],
              schedule=True, tf_versions="0.x-1.15", layer="keras.optimizers.<optimizer>",
              notes=("proven on the PTB tutorial's setup: GradientDescentOptimizer(lr) with "
                     "clip_by_global_norm and tf.assign(lr, v) before each of 2 epochs",)),
    )


PAIRS = _build_pairs()
