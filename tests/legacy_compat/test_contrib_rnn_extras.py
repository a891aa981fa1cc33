"""contrib.rnn's wrappers, fused cells and stacked bidirectional runners against TF1.

Oracles, by construct:

* ``LSTMBlockCell`` / ``GRUBlockCell``: TF1's own kernels, which TF 2.21 still ships as
  ``tf.raw_ops.LSTMBlockCell`` / ``GRUBlockCell`` (unrolled over the same variables), and
  ``tf.raw_ops.BlockLSTM`` (TF1's ``LSTMBlockFusedCell`` kernel, with its registered
  gradient) for the LSTM's gradients;
* ``OutputProjectionWrapper``, ``InputProjectionWrapper``, ``EmbeddingWrapper``,
  ``AttentionCellWrapper``, ``stack_bidirectional_rnn`` and
  ``stack_bidirectional_dynamic_rnn``: no installable copy exists (they lived in
  ``tf.contrib``), so numpy equations written from TF 1.15's source
  (``tensorflow/contrib/rnn/python/ops/core_rnn_cell.py``, ``rnn_cell.py``, ``rnn.py``,
  read through the search tool) compute them; the numpy ``BasicLSTMCell`` / ``GRUCell``
  step they use is itself checked against TF1's original cells (tf-keras' legacy_cells).

Every construct is built once (one graph for the module), with ``static_rnn`` and
``dynamic_rnn`` (the fused cells with ``dynamic_rnn``; ``stack_bidirectional_dynamic_rnn``
with ``sequence_length``). Its variables are
restored from a checkpoint written under TF1's variable names (the table ``NAMES``,
written from TF 1.15's source, not read from the built graph), so names, shapes and
restore are tested together; then the outputs and final states of both runners are
compared with the oracle.
"""
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from tensorflow.core.protobuf.rewriter_config_pb2 import RewriterConfig

from legacy_compat.contrib import rnn
from tests.support.oracle import MEASURED, oracle_modules
from tools.proof.tolerances import ORACLE

v1 = tf.compat.v1

T, D, U = 4, 3, 3  # steps, input depth, units
P, C, E = 2, 6, 4  # projection size, embedding classes, embedding size
A_LEN, A_VEC, A_IN = 2, 4, 5  # AttentionCellWrapper attn_length, attn_vec_size, input_size
FB = 0.5  # forget_bias
CLIP = 0.4  # LSTMBlockCell cell_clip
STACK_FW, STACK_BW = (3, 2), (2, 3)  # units per layer of the stacked runners
RUNNERS = ("static_rnn", "dynamic_rnn")


def _lstm_names(scope, depth, units):
    return {f"{scope}/kernel": (depth + units, 4 * units), f"{scope}/bias": (4 * units,)}


def _stack_names(dynamic):
    level = "bidirectional_rnn/" if dynamic else ""
    names, depth = {}, D
    for i, (fw, bw) in enumerate(zip(STACK_FW, STACK_BW)):
        for direction, units in (("fw", fw), ("bw", bw)):
            names.update(_lstm_names(f"stack_bidirectional_rnn/cell_{i}/{level}{direction}/"
                                     "basic_lstm_cell", depth, units))
        depth = fw + bw
    return names


# TF1's variable names and shapes (relative to each construct's scope), from TF 1.15's source
_GRU_NAMES = {"gates/kernel": (A_IN + U, 2 * U), "gates/bias": (2 * U,),
              "candidate/kernel": (A_IN + U, U), "candidate/bias": (U,)}
NAMES = {
    "OutputProjectionWrapper": {
        **_lstm_names("rnn/output_projection_wrapper/basic_lstm_cell", D, U),
        "rnn/output_projection_wrapper/kernel": (U, P),
        "rnn/output_projection_wrapper/bias": (P,)},
    "InputProjectionWrapper": {
        "rnn/input_projection_wrapper/kernel": (D, A_IN),
        "rnn/input_projection_wrapper/bias": (A_IN,),
        **{f"rnn/input_projection_wrapper/gru_cell/{k}": v for k, v in _GRU_NAMES.items()}},
    "EmbeddingWrapper": {
        "rnn/embedding_wrapper/embedding": (C, E),
        **_lstm_names("rnn/embedding_wrapper/basic_lstm_cell", E, U)},
    "AttentionCellWrapper": {
        "rnn/attention_cell_wrapper/kernel": (D + U, A_IN),
        "rnn/attention_cell_wrapper/bias": (A_IN,),
        **_lstm_names("rnn/attention_cell_wrapper/basic_lstm_cell", A_IN, U),
        "rnn/attention_cell_wrapper/attention/attn_w": (1, 1, U, A_VEC),
        "rnn/attention_cell_wrapper/attention/attn_v": (A_VEC,),
        "rnn/attention_cell_wrapper/attention/kernel": (2 * U, A_VEC),
        "rnn/attention_cell_wrapper/attention/bias": (A_VEC,),
        "rnn/attention_cell_wrapper/attn_output_projection/kernel": (2 * U, U),
        "rnn/attention_cell_wrapper/attn_output_projection/bias": (U,)},
    "LSTMBlockCell": {
        **_lstm_names("rnn/lstm_cell", D, U),
        "rnn/lstm_cell/w_i_diag": (U,), "rnn/lstm_cell/w_f_diag": (U,),
        "rnn/lstm_cell/w_o_diag": (U,)},
    "GRUBlockCell": {
        "rnn/gru_cell/w_ru": (D + U, 2 * U), "rnn/gru_cell/b_ru": (2 * U,),
        "rnn/gru_cell/w_c": (D + U, U), "rnn/gru_cell/b_c": (U,)},
    "stack_bidirectional_rnn": _stack_names(False),
    "stack_bidirectional_dynamic_rnn": _stack_names(True),
}


# ------------------------------------------------------------------------------------
# numpy equations (TF 1.15's source), float64
# ------------------------------------------------------------------------------------
def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def np_lstm_step(x, c, h, kernel, bias, forget_bias=FB):
    """BasicLSTMCell: ``i, j, f, o = [x, h] @ kernel + bias``."""
    i, j, f, o = np.split(np.concatenate([x, h], 1) @ kernel + bias, 4, axis=1)
    c = c * _sigmoid(f + forget_bias) + _sigmoid(i) * np.tanh(j)
    return np.tanh(c) * _sigmoid(o), c


def np_gru_step(x, h, gates_kernel, gates_bias, candidate_kernel, candidate_bias):
    """GRUCell (and GRUBlockCell): ``r | u`` gates, reset before the candidate matmul."""
    r, u = np.split(_sigmoid(np.concatenate([x, h], 1) @ gates_kernel + gates_bias), 2, axis=1)
    c = np.tanh(np.concatenate([x, r * h], 1) @ candidate_kernel + candidate_bias)
    return u * h + (1 - u) * c


def np_lstm(xs, kernel, bias, lengths=None):
    """BasicLSTMCell over [batch, time, depth]; with ``lengths``, TF1's sequence_length:
    outputs 0 and the state frozen past each length."""
    batch, steps = xs.shape[:2]
    units = bias.shape[0] // 4
    c, h = np.zeros((batch, units)), np.zeros((batch, units))
    lengths = np.full(batch, steps) if lengths is None else lengths
    outs = np.zeros((batch, steps, units))
    for t in range(steps):
        new_h, new_c = np_lstm_step(xs[:, t], c, h, kernel, bias)
        live = (t < lengths)[:, None]
        h, c = np.where(live, new_h, h), np.where(live, new_c, c)
        outs[:, t] = np.where(live, new_h, 0.0)
    return outs, c, h


def np_reverse(xs, lengths):
    """``tf.reverse_sequence`` along time, each row within its length."""
    out = xs.copy()
    for b, n in enumerate(lengths):
        out[b, :n] = xs[b, :n][::-1]
    return out


def np_stack_bidirectional(xs, values, lengths, level):
    """Layer i: a forward LSTM and a backward LSTM (on the rows reversed within their
    lengths) over the previous layer's concatenated outputs; ``level`` is the scope
    between ``cell_<i>/`` and ``fw``/``bw``."""
    states = {}
    for i in range(len(STACK_FW)):
        outs = []
        for direction in ("fw", "bw"):
            scope = f"stack_bidirectional_rnn/cell_{i}/{level}{direction}/basic_lstm_cell/"
            inputs = xs if direction == "fw" else np_reverse(xs, lengths)
            out, c, h = np_lstm(inputs, values[scope + "kernel"], values[scope + "bias"],
                                lengths)
            outs.append(out if direction == "fw" else np_reverse(out, lengths))
            states[f"{direction}/cell_{i}"] = (c, h)
        xs = np.concatenate(outs, -1)
    return xs, states


def np_attention(xs, v):
    """AttentionCellWrapper(BasicLSTMCell(U), attn_length, attn_vec_size, input_size)."""
    s = "rnn/attention_cell_wrapper/"
    batch = xs.shape[0]
    c, h = np.zeros((batch, U)), np.zeros((batch, U))
    attns, window = np.zeros((batch, U)), np.zeros((batch, A_LEN, U))
    outs = []
    for t in range(xs.shape[1]):
        x = np.concatenate([xs[:, t], attns], 1) @ v[s + "kernel"] + v[s + "bias"]
        h, c = np_lstm_step(x, c, h, v[s + "basic_lstm_cell/kernel"],
                            v[s + "basic_lstm_cell/bias"])
        query = np.concatenate([c, h], 1)  # nest.flatten(LSTMStateTuple): c, then h
        features = window @ v[s + "attention/attn_w"].reshape(U, A_VEC)  # the 1x1 conv
        y = query @ v[s + "attention/kernel"] + v[s + "attention/bias"]
        score = np.sum(v[s + "attention/attn_v"] * np.tanh(features + y[:, None, :]), -1)
        a = np.exp(score - score.max(1, keepdims=True))
        a /= a.sum(1, keepdims=True)
        attns = np.sum(a[:, :, None] * window, 1)
        out = (np.concatenate([h, attns], 1) @ v[s + "attn_output_projection/kernel"]
               + v[s + "attn_output_projection/bias"])
        window = np.concatenate([window[:, 1:], out[:, None, :]], 1)
        outs.append(out)
    return np.stack(outs, 1), {"c": c, "h": h, "attns": attns,
                               "window": window.reshape(batch, A_LEN * U)}


def expected(name, v, x, ids, lengths):
    """The oracle's outputs and final states of construct ``name`` (numpy constructs)."""
    if name == "OutputProjectionWrapper":
        s = "rnn/output_projection_wrapper/"
        out, c, h = np_lstm(x, v[s + "basic_lstm_cell/kernel"], v[s + "basic_lstm_cell/bias"])
        return {"outputs": np.tanh(out @ v[s + "kernel"] + v[s + "bias"]), "c": c, "h": h}
    if name == "InputProjectionWrapper":
        s = "rnn/input_projection_wrapper/"
        h = np.zeros((x.shape[0], U))
        outs = []
        for t in range(T):
            h = np_gru_step(x[:, t] @ v[s + "kernel"] + v[s + "bias"], h,
                            *(v[s + "gru_cell/" + k] for k in _GRU_NAMES))
            outs.append(h)
        return {"outputs": np.stack(outs, 1), "h": h}
    if name == "EmbeddingWrapper":
        s = "rnn/embedding_wrapper/"
        out, c, h = np_lstm(v[s + "embedding"][ids], v[s + "basic_lstm_cell/kernel"],
                            v[s + "basic_lstm_cell/bias"])
        return {"outputs": out, "c": c, "h": h}
    if name == "AttentionCellWrapper":
        out, states = np_attention(x, v)
        return {"outputs": out, **states}
    if name.startswith("stack_"):
        level = "bidirectional_rnn/" if "dynamic" in name else ""
        if "dynamic" not in name:
            lengths = np.full(x.shape[0], T)
        out, states = np_stack_bidirectional(x, v, lengths, level)
        flat = {"outputs": out}
        for key, (c, h) in states.items():
            flat.update({f"{key}/c": c, f"{key}/h": h})
        return flat
    raise KeyError(name)


# ------------------------------------------------------------------------------------
# the graph: every construct, both runners, and the raw-kernel oracles
# ------------------------------------------------------------------------------------
def _cell(name):
    if name == "OutputProjectionWrapper":
        return rnn.OutputProjectionWrapper(rnn.BasicLSTMCell(U, FB), P, activation=tf.tanh)
    if name == "InputProjectionWrapper":
        return rnn.InputProjectionWrapper(rnn.GRUCell(U), A_IN)
    if name == "EmbeddingWrapper":
        return rnn.EmbeddingWrapper(rnn.BasicLSTMCell(U, FB), C, E)
    if name == "AttentionCellWrapper":
        return rnn.AttentionCellWrapper(rnn.BasicLSTMCell(U, FB), A_LEN, attn_vec_size=A_VEC,
                                        input_size=A_IN)
    if name == "LSTMBlockCell":
        return rnn.LSTMBlockCell(U, forget_bias=FB, cell_clip=CLIP, use_peephole=True)
    return rnn.GRUBlockCell(U)


def _flat_state(name, state):
    if name in ("InputProjectionWrapper", "GRUBlockCell"):
        return {"h": state}
    if name == "AttentionCellWrapper":
        (c, h), attns, window = state
        return {"c": c, "h": h, "attns": attns, "window": window}
    return {"c": state.c, "h": state.h}


def _stack(name, x, lengths):
    cells_fw = [rnn.BasicLSTMCell(u, FB) for u in STACK_FW]
    cells_bw = [rnn.BasicLSTMCell(u, FB) for u in STACK_BW]
    if name == "stack_bidirectional_rnn":
        # no sequence_length here: static_rnn puts each step in a tf.cond, whose graph
        # costs seconds to build; the dynamic stack covers it (the same runner code)
        outs, fw, bw = rnn.stack_bidirectional_rnn(cells_fw, cells_bw, tf.unstack(x, T, 1),
                                                   dtype=tf.float32)
        outs = tf.stack(outs, 1)
    else:
        outs, fw, bw = rnn.stack_bidirectional_dynamic_rnn(
            cells_fw, cells_bw, x, dtype=tf.float32, sequence_length=lengths)
    flat = {"outputs": outs}
    for i, (state_fw, state_bw) in enumerate(zip(fw, bw)):
        flat.update({f"fw/cell_{i}/c": state_fw.c, f"fw/cell_{i}/h": state_fw.h,
                     f"bw/cell_{i}/c": state_bw.c, f"bw/cell_{i}/h": state_bw.h})
    return flat


def _raw_kernel_oracle(name, variables, x):
    """TF1's kernel (tf.raw_ops) unrolled over ``x`` with the construct's variables."""
    def var(short):
        return variables[f"rnn/{'lstm' if name == 'LSTMBlockCell' else 'gru'}_cell/{short}"]

    batch = tf.shape(x)[0]
    h = tf.zeros([batch, U])
    c = tf.zeros([batch, U])
    outs = []
    for t in range(T):
        if name == "LSTMBlockCell":
            step = tf.raw_ops.LSTMBlockCell(
                x=x[:, t], cs_prev=c, h_prev=h, w=var("kernel"), wci=var("w_i_diag"),
                wcf=var("w_f_diag"), wco=var("w_o_diag"), b=var("bias"), forget_bias=FB,
                cell_clip=CLIP, use_peephole=True)
            c, h = step.cs, step.h
        else:
            h = tf.raw_ops.GRUBlockCell(x=x[:, t], h_prev=h, w_ru=var("w_ru"), w_c=var("w_c"),
                                        b_ru=var("b_ru"), b_c=var("b_c")).h
        outs.append(h)
    flat = {"outputs": tf.stack(outs, 1), "h": h}
    if name == "LSTMBlockCell":
        flat["c"] = c
    return flat


def _block_lstm_oracle(variables, x, probe):
    """TF1's fused LSTMBlockFusedCell kernel (BlockLSTM) and its registered gradient."""
    def var(short):
        return variables[f"rnn/lstm_cell/{short}"]

    zeros = tf.zeros([tf.shape(x)[0], U])
    h = tf.raw_ops.BlockLSTM(
        seq_len_max=tf.constant(T, tf.int64), x=tf.transpose(x, [1, 0, 2]), cs_prev=zeros,
        h_prev=zeros, w=var("kernel"), wci=var("w_i_diag"), wcf=var("w_f_diag"),
        wco=var("w_o_diag"), b=var("bias"), forget_bias=FB, cell_clip=CLIP,
        use_peephole=True).h
    outputs = tf.transpose(h, [1, 0, 2])
    return outputs, tf.reduce_sum(outputs * probe)


WRAPPED = ("OutputProjectionWrapper", "InputProjectionWrapper", "EmbeddingWrapper",
           "AttentionCellWrapper", "LSTMBlockCell", "GRUBlockCell")
STACKED = ("stack_bidirectional_rnn", "stack_bidirectional_dynamic_rnn")
KERNEL_ORACLE = ("LSTMBlockCell", "GRUBlockCell")


def _runners(name):
    """The runners a construct is built with here. The fused cells: dynamic_rnn only (their
    step is the same in static_rnn, which their migration pairs run against Keras);
    the stacked runners are their own runner."""
    if name in STACKED:
        return (name,)
    return ("dynamic_rnn",) if name in KERNEL_ORACLE else RUNNERS


class _Module:
    """The module's graph: ``outputs[(construct, runner)]``, ``variables[(construct, runner)]``
    (by TF1 name), the oracles, the numpy-anchor cells and the LSTM gradient check."""

    def __init__(self):
        self.graph = tf.Graph()
        self.outputs, self.variables, self.oracles = {}, {}, {}
        with self.graph.as_default():
            self.x = v1.placeholder(tf.float32, [None, T, D], name="x")
            self.ids = v1.placeholder(tf.int32, [None, T], name="ids")
            self.lengths = v1.placeholder(tf.int32, [None], name="lengths")
            self.probe = v1.placeholder(tf.float32, [None, T, U], name="probe")
            for name in WRAPPED:
                for runner in _runners(name):
                    self._build(name, runner)
            for name in STACKED:
                self._build(name, name)
            for name in KERNEL_ORACLE:
                self.oracles[name] = _raw_kernel_oracle(
                    name, self.variables[(name, "dynamic_rnn")], self.x)
            self._lstm_gradients()
            self._anchor_cells()
            self.savers = {key: v1.train.Saver(variables)
                           for key, variables in self.variables.items()}
        # grappler off: each pipeline runs a few times, optimising it costs more than it
        # saves (the ops, and so the numbers, are the same)
        self.session = v1.Session(graph=self.graph, config=v1.ConfigProto(
            graph_options=v1.GraphOptions(rewrite_options=RewriterConfig(
                disable_meta_optimizer=True))))

    def _build(self, name, runner):
        top = f"{name}_{runner}"
        with v1.variable_scope(top):
            if name in STACKED:
                flat = _stack(name, self.x, self.lengths)
            else:
                cell = _cell(name)
                inputs = self.ids if name == "EmbeddingWrapper" else self.x
                if runner == "static_rnn":
                    outs, state = v1.nn.static_rnn(cell, tf.unstack(inputs, T, 1),
                                                   dtype=tf.float32)
                    outs = tf.stack(outs, 1)
                else:
                    if name == "EmbeddingWrapper":
                        inputs = tf.expand_dims(inputs, -1)
                    outs, state = v1.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)
                flat = {"outputs": outs, **_flat_state(name, state)}
        self.outputs[(name, runner)] = flat
        self.variables[(name, runner)] = {
            v.op.name[len(top) + 1:]: v for v in v1.global_variables()
            if v.op.name.startswith(top + "/")}

    def _lstm_gradients(self):
        variables = self.variables[("LSTMBlockCell", "dynamic_rnn")]
        wrt = [self.x] + [variables[f"rnn/lstm_cell/{k}"]
                          for k in ("kernel", "bias", "w_i_diag", "w_f_diag", "w_o_diag")]
        mine = self.outputs[("LSTMBlockCell", "dynamic_rnn")]["outputs"]
        fused, fused_total = _block_lstm_oracle(variables, self.x, self.probe)
        self.gradients = {
            "legacy_compat": tf.gradients(tf.reduce_sum(mine * self.probe), wrt),
            "BlockLSTM": tf.gradients(fused_total, wrt)}
        self.oracles["BlockLSTM"] = {"outputs": fused}

    def _anchor_cells(self):
        """TF1's BasicLSTMCell and GRUCell (tf-keras) for one step, to check the numpy ones."""
        legacy_cells, _ = oracle_modules()
        self.anchor_h = v1.placeholder(tf.float32, [None, U])
        self.anchor_c = v1.placeholder(tf.float32, [None, U])
        with v1.variable_scope("anchor"):
            lstm = legacy_cells.BasicLSTMCell(U, forget_bias=FB)
            gru = legacy_cells.GRUCell(U)
            lstm_h, lstm_state = lstm(self.x[:, 0], legacy_cells.LSTMStateTuple(
                self.anchor_c, self.anchor_h))
            gru_h, _ = gru(self.x[:, 0], self.anchor_h)
        self.anchor = {"lstm_h": lstm_h, "lstm_c": lstm_state.c, "gru_h": gru_h}
        self.anchor_variables = {v.op.name: v for v in v1.global_variables()
                                 if v.op.name.startswith("anchor/")}


@pytest.fixture(scope="module")
def module():
    built = _Module()
    yield built
    built.session.close()


def _record(key, diff):
    MEASURED[key] = max(MEASURED.get(key, 0.0), diff)


def _max_diff(a, b):
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


def _random_values(names, rng):
    return {n: rng.uniform(-0.5, 0.5, shape).astype(np.float32) for n, shape in names.items()}


class _TF1Checkpoints:
    """Writes checkpoints whose keys are TF1's names (plain variables saved under them);
    one graph per construct, built once."""

    def __init__(self):
        self._writers = {}

    def write(self, name, values, path):
        if name not in self._writers:
            graph = tf.Graph()
            with graph.as_default():
                variables = {n: v1.Variable(np.zeros(shape, np.float32), name=f"v{i}")
                             for i, (n, shape) in enumerate(sorted(NAMES[name].items()))}
                session = v1.Session(graph=graph)
                session.run(v1.global_variables_initializer())
                self._writers[name] = (graph, session, variables, v1.train.Saver(variables))
        graph, session, variables, saver = self._writers[name]
        with graph.as_default():
            for n, v in variables.items():
                v.load(values[n], session)
            return saver.save(session, str(path))

    def close(self):
        for _, session, _, _ in self._writers.values():
            session.close()


@pytest.fixture(scope="module")
def checkpoints():
    writer = _TF1Checkpoints()
    yield writer
    writer.close()


# ------------------------------------------------------------------------------------
# the tests
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", WRAPPED + STACKED)
def test_variable_names_and_shapes_are_tf1s(module, name):
    for runner in _runners(name):
        got = {n: tuple(v.shape.as_list()) for n, v in module.variables[(name, runner)].items()}
        assert got == NAMES[name], (runner, sorted(set(got) ^ set(NAMES[name])))


def test_numpy_cell_equations_match_tf1s_original_cells(module):
    """The numpy BasicLSTMCell / GRUCell steps the wrappers' oracle uses are TF1's."""
    rng = np.random.default_rng(7)
    values = {n: rng.uniform(-0.5, 0.5, v.shape.as_list()).astype(np.float32)
              for n, v in module.anchor_variables.items()}
    with module.graph.as_default():
        for n, v in module.anchor_variables.items():
            v.load(values[n], module.session)
    x = rng.normal(size=(3, T, D)).astype(np.float32)
    c, h = (rng.normal(size=(3, U)).astype(np.float32) for _ in range(2))
    got = module.session.run(module.anchor, {module.x: x, module.anchor_c: c,
                                             module.anchor_h: h})
    lstm = {k.split("/")[-1]: v for k, v in values.items() if "lstm" in k}
    gru = {k.split("gru_cell/")[-1]: v for k, v in values.items() if "gru" in k}
    want_h, want_c = np_lstm_step(x[:, 0], c, h, lstm["kernel"], lstm["bias"])
    want_gru = np_gru_step(x[:, 0], h, *(gru[k] for k in _GRU_NAMES))
    diff = max(_max_diff(got["lstm_h"], want_h), _max_diff(got["lstm_c"], want_c),
               _max_diff(got["gru_h"], want_gru))
    _record(("contrib numpy cells", "vs tf-keras legacy_cells", "float32"), diff)
    # float64 numpy vs one float32 step: a few ulps of O(1) values
    assert diff <= ORACLE["float32"]


@settings(max_examples=max(2, settings.default.max_examples // 6))  # 2 in the fast profile
@given(seed=st.integers(0, 2**31 - 1), batch=st.integers(1, 3))
def test_restored_from_tf1_names_matches_the_oracle(module, checkpoints, tmp_path_factory, seed,
                                                    batch):
    """Restore every construct from a checkpoint written under TF1's names, then compare
    both runners' outputs and final states with the oracle."""
    rng = np.random.default_rng(seed)
    tmp = tmp_path_factory.mktemp("ckpt")
    x = rng.normal(size=(batch, T, D)).astype(np.float32)
    ids = rng.integers(0, C, size=(batch, T)).astype(np.int32)
    lengths = rng.integers(1, T + 1, size=batch).astype(np.int32)
    feed = {module.x: x, module.ids: ids, module.lengths: lengths}
    for name in WRAPPED + STACKED:
        values = _random_values(NAMES[name], rng)
        path = checkpoints.write(name, values, tmp / name)
        runners = _runners(name)
        with module.graph.as_default():
            for runner in runners:
                module.savers[(name, runner)].restore(module.session, path)
        got = {r: module.session.run(module.outputs[(name, r)], feed) for r in runners}
        if name in KERNEL_ORACLE:
            want = module.session.run(module.oracles[name], feed)
        else:
            want = expected(name, {k: v.astype(np.float64) for k, v in values.items()},
                            x.astype(np.float64), ids, lengths)
        for runner in runners:
            assert set(got[runner]) >= set(want), (name, runner)
            diff = max(_max_diff(got[runner][k], want[k]) for k in want)
            _record((f"contrib {name}", runner, "float32"), diff)
            # the raw kernels: the same float32 arithmetic (GRUBlockCell's matmul sums in
            # another order, ~1 ulp); numpy: float64 of the float32 weights, TF rounds
            # each op to float32 (a few ulps of O(1) values over T steps)
            assert diff <= ORACLE["float32"], (name, runner, diff)
        if len(runners) == 2:
            same = max(_max_diff(got["static_rnn"][k], got["dynamic_rnn"][k])
                       for k in got["static_rnn"])
            _record((f"contrib {name}", "static vs dynamic", "float32"), same)
            assert same <= ORACLE["float32"]


def _cell64(name):
    """The wrappers around float64 cells (the fused kernels are float32 only, as in TF1)."""
    f64 = tf.float64
    if name == "OutputProjectionWrapper":
        return rnn.OutputProjectionWrapper(rnn.BasicLSTMCell(U, FB, dtype=f64), P,
                                           activation=tf.tanh)
    if name == "InputProjectionWrapper":
        return rnn.InputProjectionWrapper(rnn.GRUCell(U, dtype=f64), A_IN)
    if name == "EmbeddingWrapper":
        return rnn.EmbeddingWrapper(rnn.BasicLSTMCell(U, FB, dtype=f64), C, E)
    return rnn.AttentionCellWrapper(rnn.BasicLSTMCell(U, FB, dtype=f64), A_LEN,
                                    attn_vec_size=A_VEC, input_size=A_IN)


def test_float64_wrappers_match_the_numpy_equations():
    """float64 through dynamic_rnn (AttentionCellWrapper in a float64 variable scope: TF1
    created attn_w/attn_v with the scope's dtype)."""
    rng = np.random.default_rng(64)
    names = WRAPPED[:4]
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float64, [None, T, D])
        ids = v1.placeholder(tf.int32, [None, T])
        outputs, variables = {}, {}
        for name in names:
            inputs = tf.expand_dims(ids, -1) if name == "EmbeddingWrapper" else x
            with v1.variable_scope(name, dtype=tf.float64):
                outs, state = v1.nn.dynamic_rnn(_cell64(name), inputs, dtype=tf.float64)
            outputs[name] = {"outputs": outs, **_flat_state(name, state)}
            variables[name] = {v.op.name[len(name) + 1:]: v for v in v1.global_variables()
                               if v.op.name.startswith(name + "/")}
        values = {name: {n: rng.uniform(-0.5, 0.5, shape) for n, shape in NAMES[name].items()}
                  for name in names}
        assigns = [variables[name][n].assign(value) for name in names
                   for n, value in values[name].items()]
        with v1.Session(graph=graph) as sess:
            sess.run(assigns)
            xv, idv = rng.normal(size=(2, T, D)), rng.integers(0, C, size=(2, T))
            got = sess.run(outputs, {x: xv, ids: idv})
    for name in names:
        want = expected(name, values[name], xv, idv, None)
        diff = max(_max_diff(got[name][k], want[k]) for k in want)
        _record((f"contrib {name}", "dynamic_rnn", "float64"), diff)
        assert diff <= ORACLE["float64"], (name, diff)  # float64 throughout, a few ulps


def test_lstm_block_cell_gradients_match_tf1s_fused_kernel(module):
    """Gradients w.r.t. the input and every variable: legacy_compat's LSTMBlockCell under
    dynamic_rnn vs TF1's BlockLSTM kernel and its registered gradient (BlockLSTMGrad)."""
    rng = np.random.default_rng(3)
    variables = module.variables[("LSTMBlockCell", "dynamic_rnn")]
    with module.graph.as_default():
        for v in variables.values():
            v.load(rng.uniform(-0.5, 0.5, v.shape.as_list()).astype(np.float32),
                   module.session)
    feed = {module.x: rng.normal(size=(3, T, D)), module.probe: rng.normal(size=(3, T, U))}
    mine, fused, fused_out, out = module.session.run(
        [module.gradients["legacy_compat"], module.gradients["BlockLSTM"],
         module.oracles["BlockLSTM"]["outputs"],
         module.outputs[("LSTMBlockCell", "dynamic_rnn")]["outputs"]], feed)
    forward = _max_diff(out, fused_out)
    backward = max(_max_diff(a, b) for a, b in zip(mine, fused))
    _record(("contrib LSTMBlockCell", "vs BlockLSTM outputs", "float32"), forward)
    _record(("contrib LSTMBlockCell", "vs BlockLSTMGrad gradients", "float32"), backward)
    assert forward <= ORACLE["float32"]  # the same kernel arithmetic
    # the fused gradient kernel sums the T steps' and the batch's terms in its own order
    # (measured ~2e-7); cell_clip=0.4 clips, so TF1's straight-through clip gradient is in
    assert backward <= ORACLE["float32"]


def test_every_contrib_rnn_name_has_a_migration_pair():
    from tools.proof import registry

    covered = {name for pair in registry.PAIRS for name in pair.legacy_names}
    missing = sorted(set(rnn.__all__) - covered - {"RNNCell"})
    assert missing == []


# ------------------------------------------------------------------------------------
# behaviour: sizes, tracking, zero states
# ------------------------------------------------------------------------------------
def test_sizes_and_tracked_variables(module):
    opw = rnn.OutputProjectionWrapper(rnn.BasicLSTMCell(U), P)
    assert opw.output_size == P and opw.state_size == (U, U)
    att = rnn.AttentionCellWrapper(rnn.GRUCell(U), A_LEN, state_is_tuple=False)
    assert att.state_size == U + U + U * A_LEN and att.output_size == U
    assert rnn.LSTMBlockCell(U).state_size == (U, U)
    assert rnn.GRUBlockCell(cell_size=U).output_size == U
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [2, T, D])
        outs, state = v1.nn.dynamic_rnn(att, x, dtype=tf.float32)
        cell = rnn.OutputProjectionWrapper(rnn.BasicLSTMCell(U), P)
        v1.nn.static_rnn(cell, tf.unstack(x, T, 1), dtype=tf.float32, scope="opw")
        assert state.shape.as_list() == [2, U + U + U * A_LEN]
        # TF1 tracked the wrapped cell's variables too, in creation order (cell first)
        assert [v.op.name for v in cell.trainable_variables] == [
            "opw/output_projection_wrapper/basic_lstm_cell/kernel",
            "opw/output_projection_wrapper/basic_lstm_cell/bias",
            "opw/output_projection_wrapper/kernel", "opw/output_projection_wrapper/bias"]
        zero = cell.zero_state(2, tf.float32)
        assert [z.shape.as_list() for z in zero] == [[2, U], [2, U]]


# ------------------------------------------------------------------------------------
# bad input: clear errors
# ------------------------------------------------------------------------------------
def _in_graph(fn):
    def run():
        with tf.Graph().as_default():
            x = v1.placeholder(tf.float32, [2, T, D])
            return fn(x)
    return run


BAD = {
    "output_size 0": (lambda: rnn.OutputProjectionWrapper(rnn.GRUCell(2), 0),
                      ValueError, "output_size must be an integer > 0"),
    "num_proj 0": (lambda: rnn.InputProjectionWrapper(rnn.GRUCell(2), 0),
                   ValueError, "num_proj must be an integer > 0"),
    "embedding_classes 0": (lambda: rnn.EmbeddingWrapper(rnn.GRUCell(2), 0, 3),
                            ValueError, "embedding_classes and embedding_size must be > 0"),
    "not a cell": (lambda: rnn.OutputProjectionWrapper("gru", 2), TypeError, "is not an RNNCell"),
    "float ids": (_in_graph(lambda x: v1.nn.dynamic_rnn(
        rnn.EmbeddingWrapper(rnn.GRUCell(2), 5, 3), x, dtype=tf.float32)),
        TypeError, "integer ids"),
    "wide ids": (_in_graph(lambda x: v1.nn.static_rnn(
        rnn.EmbeddingWrapper(rnn.GRUCell(2), 5, 3),
        tf.unstack(tf.cast(x, tf.int32), T, 1), dtype=tf.float32)),
        ValueError, r"shape \[batch_size\] or \[batch_size, 1\]"),
    "float64 LSTMBlockCell": (_in_graph(lambda x: v1.nn.dynamic_rnn(
        rnn.LSTMBlockCell(2), tf.cast(x, tf.float64), dtype=tf.float64)),
        TypeError, "supports float32, float16 only; received float64"),
    "float64 GRUBlockCell": (_in_graph(lambda x: v1.nn.dynamic_rnn(
        rnn.GRUBlockCell(2), tf.cast(x, tf.float64), dtype=tf.float64)),
        TypeError, "supports float32 only; received float64"),
    "GRUBlockCell num_units and cell_size": (lambda: rnn.GRUBlockCell(2, cell_size=2),
                                             ValueError, "exactly one of num_units or cell_size"),
    "LSTMBlockCell rank 3": (_in_graph(lambda x: rnn.LSTMBlockCell(2)(
        x, rnn.LSTMStateTuple(tf.zeros([2, 2]), tf.zeros([2, 2])))),
        ValueError, "expects inputs of rank 2"),
    "unknown option": (lambda: rnn.LSTMBlockCell(2, use_peepholes=True),
                       TypeError, "unexpected keyword argument.*use_peepholes"),
    "attn_length 0": (lambda: rnn.AttentionCellWrapper(rnn.GRUCell(2), 0),
                      ValueError, "attn_length should be greater than zero"),
    "tuple state, state_is_tuple=False": (
        lambda: rnn.AttentionCellWrapper(rnn.BasicLSTMCell(2), 2, state_is_tuple=False),
        ValueError, "state_is_tuple is not set"),
    "float64 attention": (_in_graph(lambda x: v1.nn.dynamic_rnn(
        rnn.AttentionCellWrapper(rnn.GRUCell(2, dtype=tf.float64), 2), tf.cast(x, tf.float64),
        dtype=tf.float64)), TypeError, "take the variable scope's dtype"),
    "stack depths differ": (_in_graph(lambda x: rnn.stack_bidirectional_dynamic_rnn(
        [rnn.GRUCell(2)], [rnn.GRUCell(2), rnn.GRUCell(2)], x, dtype=tf.float32)),
        ValueError, "same depth; received 1 fw and 2 bw"),
    "stack cells not a list": (_in_graph(lambda x: rnn.stack_bidirectional_rnn(
        (rnn.GRUCell(2),), [rnn.GRUCell(2)], tf.unstack(x, T, 1), dtype=tf.float32)),
        ValueError, "cells_fw must be a list"),
    "stack no cells": (_in_graph(lambda x: rnn.stack_bidirectional_dynamic_rnn(
        [], [], x, dtype=tf.float32)), ValueError, "at least one fw cell"),
    "stack initial states": (_in_graph(lambda x: rnn.stack_bidirectional_dynamic_rnn(
        [rnn.GRUCell(2)], [rnn.GRUCell(2)], x, initial_states_fw=[None, None],
        dtype=tf.float32)), ValueError, "initial_states_fw must be a list of state tensors"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_a_clear_error(case):
    fn, error, message = BAD[case]
    with pytest.raises(error, match=message):
        fn()
