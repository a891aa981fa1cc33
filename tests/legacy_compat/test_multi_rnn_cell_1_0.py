"""``MultiRNNCell([cell] * n)`` as TF 1.0 ran it, where sharing would fail on the shapes.

TF 1.0's cells held no variables: ``MultiRNNCell([cell] * 2)`` called the one object under
``multi_rnn_cell/cell_0`` and ``cell_1``, and ``_linear`` created ``weights`` and ``biases``
in each (TF 1.0 ``core_rnn_cell_impl.py``: ``_WEIGHTS_VARIABLE_NAME = "weights"``,
``_BIAS_VARIABLE_NAME = "biases"``; the scopes are the snake-case ones 1.2+ kept). TF 1.1
refused the reuse and TF 1.2+ shares one set, which fails when the first layer's input
depth differs from the others'. legacy_compat gives such a stack TF 1.0's behaviour: every
layer its own variables under TF 1.0's names, and a warning.

Oracle: the names above (written from TF 1.0's source), and the computation of a stack of
INDEPENDENT cells, i.e. TF1's original ``MultiRNNCell`` of distinct cells (tf-keras'
legacy_cells) given the same values; a checkpoint written under TF 1.0's names restores.
Where the depths match, TF 1.2+'s sharing stays (``test_cells_behaviour.py`` compares it
with the oracle); here: no warning and one variable set.
"""
import warnings

import numpy as np
import pytest
import tensorflow as tf

from legacy_compat import rnn_cell_impl as cells
from tests.support.oracle import MEASURED, oracle_modules
from tools.proof.tolerances import ORACLE

v1 = tf.compat.v1

T, D, U = 3, 2, 4
RUNNERS = ("static_rnn", "dynamic_rnn")


def _lstm(prefix, depth, units):
    return {f"{prefix}/weights": (depth + units, 4 * units), f"{prefix}/biases": (4 * units,)}


def _gru(prefix, depth, units):
    return {f"{prefix}/gates/weights": (depth + units, 2 * units),
            f"{prefix}/gates/biases": (2 * units,),
            f"{prefix}/candidate/weights": (depth + units, units),
            f"{prefix}/candidate/biases": (units,)}


def _layer(i, cell):
    return f"multi_rnn_cell/cell_{i}/{cell}"


PROJ = 3  # LSTMCell's num_proj: its output (and the next layer's input) depth


def _peephole_projection(i, depth):
    prefix = _layer(i, "lstm_cell")
    return {f"{prefix}/weights": (depth + PROJ, 4 * U), f"{prefix}/biases": (4 * U,),
            f"{prefix}/w_f_diag": (U,), f"{prefix}/w_i_diag": (U,), f"{prefix}/w_o_diag": (U,),
            f"{prefix}/projection/weights": (U, PROJ)}


# scenario -> (the cells of the stack, TF 1.0's variables of one step's call)
def _scenarios():
    lstm, gru, rnn_cell = cells.BasicLSTMCell(U), cells.GRUCell(U), cells.BasicRNNCell(U)
    projected = cells.LSTMCell(U, use_peepholes=True, num_proj=PROJ)
    dropped = cells.DropoutWrapper(cells.BasicLSTMCell(U), output_keep_prob=0.5)
    other = cells.GRUCell(3)
    return {
        "[BasicLSTMCell] * 2": ([lstm] * 2, {**_lstm(_layer(0, "basic_lstm_cell"), D, U),
                                             **_lstm(_layer(1, "basic_lstm_cell"), U, U)}),
        "[GRUCell] * 3": ([gru] * 3, {**_gru(_layer(0, "gru_cell"), D, U),
                                      **_gru(_layer(1, "gru_cell"), U, U),
                                      **_gru(_layer(2, "gru_cell"), U, U)}),
        "[BasicRNNCell] * 2": ([rnn_cell] * 2, {
            _layer(0, "basic_rnn_cell/weights"): (D + U, U),
            _layer(0, "basic_rnn_cell/biases"): (U,),
            _layer(1, "basic_rnn_cell/weights"): (2 * U, U),
            _layer(1, "basic_rnn_cell/biases"): (U,)}),
        "[LSTMCell(use_peepholes, num_proj)] * 2": ([projected] * 2, {
            **_peephole_projection(0, D), **_peephole_projection(1, PROJ)}),
        "[DropoutWrapper(BasicLSTMCell)] * 2": ([dropped] * 2, {
            **_lstm(_layer(0, "basic_lstm_cell"), D, U),
            **_lstm(_layer(1, "basic_lstm_cell"), U, U)}),
        "[cell, cell, other cell]": ([lstm, lstm, other], {
            **_lstm(_layer(0, "basic_lstm_cell"), D, U),
            **_lstm(_layer(1, "basic_lstm_cell"), U, U),
            **_gru(_layer(2, "gru_cell"), U, 3)}),
    }


SCENARIOS = sorted(_scenarios())


def _one_step(stack):
    """Call the stack once on [2, D] inputs; return (variables, warnings)."""
    graph = tf.Graph()
    with graph.as_default(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        multi = cells.MultiRNNCell(stack)
        x = v1.placeholder(tf.float32, [2, D])
        multi(x, multi.zero_state(2, tf.float32))
        names = {v.op.name: tuple(v.shape.as_list()) for v in v1.global_variables()}
        tracked = [v.op.name for v in multi.trainable_variables]
    return names, tracked, [w for w in caught if issubclass(w.category, UserWarning)
                            and "MultiRNNCell" in str(w.message)]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_layer_gets_its_own_variables_with_tf_1_0_names(scenario):
    stack, want = _scenarios()[scenario]
    names, tracked, caught = _one_step(stack)
    assert names == want, sorted(set(names) ^ set(want))
    assert sorted(tracked) == sorted(want)  # every layer's variables, none shared
    assert len(caught) == 1
    message = str(caught[0].message)
    for fact in ("TF 1.0", "own variables", "'weights'/'biases'",
                 "MultiRNNCell([BasicLSTMCell(...) for _ in range(n)])"):
        assert fact in message, fact


def test_matching_depths_keep_tf_1_2_sharing_without_a_warning():
    cell = cells.BasicLSTMCell(D)  # input depth D == num_units: every layer reads depth D
    names, tracked, caught = _one_step([cell] * 3)
    assert names == {"multi_rnn_cell/cell_0/basic_lstm_cell/kernel": (2 * D, 4 * D),
                     "multi_rnn_cell/cell_0/basic_lstm_cell/bias": (4 * D,)}
    assert caught == [] and len(tracked) == 2


def test_the_cell_object_itself_is_layer_0():
    cell = cells.BasicLSTMCell(U)
    with tf.Graph().as_default(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v1.nn.dynamic_rnn(cells.MultiRNNCell([cell] * 2), v1.placeholder(tf.float32, [2, T, D]),
                          dtype=tf.float32)
        assert [v.op.name for v in cell.trainable_variables] == [
            "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/weights",
            "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/biases"]


# ------------------------------------------------------------------------------------
# outputs: TF1's MultiRNNCell of independent cells with the same values; checkpoints
# ------------------------------------------------------------------------------------
class _Graph:
    def __init__(self):
        legacy_cells, _ = oracle_modules()
        self.graph = tf.Graph()
        self.outputs, self.variables = {}, {}
        with self.graph.as_default(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.x = v1.placeholder(tf.float32, [None, T, D])
            for runner in RUNNERS:
                self._build(runner, cells.MultiRNNCell([cells.BasicLSTMCell(U)] * 2), runner)
            oracle = legacy_cells.MultiRNNCell([legacy_cells.BasicLSTMCell(U),
                                                legacy_cells.BasicLSTMCell(U)])
            self._build("oracle", oracle, "dynamic_rnn")
            self.saver = v1.train.Saver(self.variables["dynamic_rnn"])
        self.session = v1.Session(graph=self.graph)

    def _build(self, key, cell, runner):
        with v1.variable_scope(key):
            if runner == "static_rnn":
                outs, state = v1.nn.static_rnn(cell, tf.unstack(self.x, T, 1), dtype=tf.float32)
                outs = tf.stack(outs, 1)
            else:
                outs, state = v1.nn.dynamic_rnn(cell, self.x, dtype=tf.float32)
        self.outputs[key] = [outs] + [t for layer in state for t in layer]
        self.variables[key] = {v.op.name[len(key) + 1:]: v for v in v1.global_variables()
                               if v.op.name.startswith(key + "/")}


@pytest.fixture(scope="module")
def built():
    graph = _Graph()
    yield graph
    graph.session.close()


# a TF 1.0 program's variables: static_rnn/dynamic_rnn(MultiRNNCell([BasicLSTMCell(U)] * 2))
_TF_1_0_RNN = {**_lstm("rnn/" + _layer(0, "basic_lstm_cell"), D, U),
               **_lstm("rnn/" + _layer(1, "basic_lstm_cell"), U, U)}


def _tf_1_2_name(name):
    return name.replace("/weights", "/kernel").replace("/biases", "/bias")


def test_outputs_equal_tf1s_stack_of_independent_cells(built):
    rng = np.random.default_rng(11)
    names = sorted(built.variables["dynamic_rnn"])
    assert names == sorted(_TF_1_0_RNN)
    with built.graph.as_default():
        for name in names:
            value = rng.uniform(-0.5, 0.5, built.variables["dynamic_rnn"][name].shape.as_list())
            for key in RUNNERS:
                built.variables[key][name].load(value, built.session)
            built.variables["oracle"][_tf_1_2_name(name)].load(value, built.session)
    x = rng.normal(size=(3, T, D))
    got = built.session.run(built.outputs, {built.x: x})
    for runner in RUNNERS:
        diff = max(float(np.abs(a - b).max()) for a, b in zip(got[runner], got["oracle"]))
        MEASURED[("MultiRNNCell([cell] * 2), TF 1.0", runner, "float32")] = diff
        # the same ops in the same order as TF1's cells: a few ulps of kernel selection
        assert diff <= ORACLE["float32"], runner


def test_a_tf_1_0_checkpoint_restores(built, tmp_path):
    rng = np.random.default_rng(12)
    values = {n: rng.uniform(-0.5, 0.5, shape).astype(np.float32)
              for n, shape in _TF_1_0_RNN.items()}
    writer = tf.Graph()
    with writer.as_default():
        variables = {n: v1.Variable(v, name=f"v{i}") for i, (n, v) in enumerate(values.items())}
        with v1.Session(graph=writer) as sess:
            sess.run(v1.global_variables_initializer())
            path = v1.train.Saver(variables).save(sess, str(tmp_path / "tf10.ckpt"))
    with built.graph.as_default():
        built.saver.restore(built.session, path)
        for name, value in values.items():
            built.variables["oracle"][_tf_1_2_name(name)].load(value, built.session)
    got = built.session.run(built.outputs, {built.x: rng.normal(size=(2, T, D))})
    diff = max(float(np.abs(a - b).max()) for a, b in zip(got["dynamic_rnn"], got["oracle"]))
    assert diff <= ORACLE["float32"]
