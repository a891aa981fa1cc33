"""Migration pairs of TF1 optimizers on an embedding's sparse gradient -> Keras 3.

``tf.nn.embedding_lookup(E, ids)`` gives ``E`` a sparse gradient (``tf.IndexedSlices``:
one slice per looked-up id, a repeated id repeated), and so does a Keras ``Embedding`` on
the TensorFlow backend. TF1's optimizers first sum a repeated id's slices
(``_deduplicate_indexed_slices``); Keras' Adam and Adagrad square each slice, so an id
looked up k times adds the sum of k squares where TF1 adds the square of the sum
(limitation keras-sparse-gradient-squares). :data:`modern.optimizers.OPTIMIZERS` gives
those optimizers a ``sparse`` class for models with an embedding
(``modern.optimizers.TF1Adam``, ``TF1Adagrad``: the rows summed first), proven here.

TF1's Momentum and RMSProp go further on a sparse gradient: they update only the
looked-up rows (their accumulators of the other rows neither decay nor move the
variable), which no dense optimizer does (limitation tf1-sparse-updates-are-lazy,
measured here; not ported exactly).

The problem (:func:`draw_problem`, seeded): ``loss = mean((E[ids] - Y)**2)`` with ``E``
[6, 3] and each step's 10 ids drawn from the first 5 rows (a repeat at every step, row 4
looked up every other step, row 5 never),
:data:`STEPS` steps of TF1's optimizer (``tf.compat.v1.train``, the oracle, in a
``tf.Graph``) and of the Keras class the table gives (a ``keras.layers.Embedding`` under
``tf.GradientTape``) from the same start; the whole trajectory of ``E`` is compared.
"""
import numpy as np
import tensorflow as tf

from tools.proof import tolerances
from tools.proof.pair import KerasSide, MigrationPair
from tools.proof.pipelines import new_session
from tools.proof.report import compare
from tools.proof.tolerances import Tolerance

_v1 = tf.compat.v1

STEPS = 10
# TF1 optimizer -> (learning rate, TF1's other arguments) of the cases
CASES = {"AdamOptimizer": (0.05, {}), "AdagradOptimizer": (0.1, {}),
         "RMSPropOptimizer": (0.05, {}), "MomentumOptimizer": (0.05, {"momentum": 0.9})}


def draw_problem(seed):
    """``(E0 [6, 3], ids [STEPS, 10], Y [10, 3])``: each step's 10 ids from rows 0-4, one
    repeated and row 4 left out every other step (row 5 is never looked up)."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, 4, (STEPS, 10))
    ids[::2, 2] = 4  # row 4 looked up at even steps only
    ids[:, 1] = ids[:, 0]  # a repeated id whatever the draw
    return (rng.uniform(-0.5, 0.5, (6, 3)).astype(np.float32), ids.astype(np.int32),
            rng.normal(size=(10, 3)).astype(np.float32))


def tf1_trajectory(name, seed):
    """``E`` after each of :data:`STEPS` steps of TF1's optimizer ``name``."""
    from modern.optimizers import OPTIMIZERS

    start, ids, y = draw_problem(seed)
    learning_rate, options = CASES[name]
    graph = tf.Graph()
    with graph.as_default():
        table = _v1.get_variable("E", initializer=start)
        step_ids = _v1.placeholder(tf.int32, [ids.shape[1]])
        loss = tf.reduce_mean(tf.square(tf.nn.embedding_lookup(table, step_ids) - y))
        qualified = OPTIMIZERS[name].tf1.replace("tf.compat.v1.", "")
        optimizer = getattr(_v1.train, qualified.rsplit(".", 1)[1])(learning_rate, **options)
        train = optimizer.minimize(loss)
        init = _v1.global_variables_initializer()
    with new_session(graph) as session:
        session.run(init)
        steps = []
        for step in range(STEPS):
            session.run(train, {step_ids: ids[step]})
            steps.append(session.run(table))
    return np.stack(steps)


def keras_trajectory(name, seed, optimizer=None):
    """``E`` after each step of the Keras optimizer (default: the table's for a model with
    an embedding) on a ``keras.layers.Embedding`` (TF backend: a sparse gradient)."""
    import keras

    from modern.optimizers import OPTIMIZERS

    start, ids, y = draw_problem(seed)
    learning_rate, options = CASES[name]
    if optimizer is None:
        target = OPTIMIZERS[name]
        optimizer = target.keras_class(sparse=True)(**target.keras_kwargs(learning_rate,
                                                                           **options))
    layer = keras.layers.Embedding(6, 3)
    layer.build()
    layer.embeddings.assign(start)
    steps = []
    for step in range(STEPS):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(layer(ids[step]) - y))
        gradients = tape.gradient(loss, layer.trainable_variables)
        optimizer.apply_gradients(zip(gradients, layer.trainable_variables))
        steps.append(np.asarray(layer.embeddings))
    return np.stack(steps)


def trajectory_diff(name, seed, optimizer=None):
    """max |difference| of the two trajectories."""
    return float(np.max(np.abs(tf1_trajectory(name, seed)
                               - keras_trajectory(name, seed, optimizer))))


def _equivalence(name):
    def equivalence(seed):
        context = {"optimizer": name, "steps": STEPS, "ids": draw_problem(seed)[1][0].tolist()}
        return {f"training/{name}": compare(
            {"E per step": tf1_trajectory(name, seed)},
            {"E per step": keras_trajectory(name, seed)},
            atol=tolerances.OPTIMIZER_TRAJECTORY[name], title="embedding trajectory",
            context=context)}
    equivalence.__qualname__ = f"_equivalence({name!r})"
    return equivalence


def _pair(name):
    from modern.optimizers import OPTIMIZERS

    target = OPTIMIZERS[name]
    keras_class, reason = target.sparse
    return MigrationPair(
        name=f"{name} on an embedding's sparse gradient",
        legacy_names=(),
        tf1_api=f"tf.train.{name}(...).minimize(loss) with tf.nn.embedding_lookup(E, ids)",
        tf_versions="1.0-1.15 (tf.train)",
        keras=KerasSide(layer=keras_class, notes=(
            reason, "the port picks it for a model with an Embedding; the arguments are "
                    f"{target.keras}'s")),
        configs=None, exact=True,
        tolerance=Tolerance(training=tolerances.OPTIMIZER_TRAJECTORY[name]),
        equivalence=_equivalence(name))


PAIRS = (_pair("AdamOptimizer"), _pair("AdagradOptimizer"))
