"""legacy_compat's cells against the original TF1 cell code (the tf-keras oracle).

For every cell and every option (the CELL_TEMPLATES table) and every runner
(static_rnn, dynamic_rnn, static_bidirectional_rnn, bidirectional_dynamic_rnn),
hypothesis draws units, input size, time steps, batch size, dtype, forget_bias and
sequence lengths (0 and the full length included), and we assert:

* identical variable names and shapes;
* with identical variable values, outputs and final states equal within
  TOLERANCE[dtype] (they are computed by the same TF ops in the same order, so
  the expected difference is 0; the tolerance only admits a few ulps of
  kernel-selection noise);
* static_rnn equals dynamic_rnn for legacy_compat's cells;
* a checkpoint written by an oracle graph restores into a legacy_compat graph
  (and the reverse) with identical outputs.
"""
import os

import numpy as np
import pytest
import tensorflow as tf

from tools.proof.tolerances import ORACLE
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.oracle import (
    RUNNERS,
    CellSpec,
    MEASURED,
    build_side_by_side,
    max_abs_diff,
    randomize_variables,
)

v1 = tf.compat.v1

# float32: identical op sequences give identical results; 1e-6 (about 8 ulps at
# magnitude 1, where LSTM/GRU outputs live) only absorbs a different kernel choice
# by oneDNN between two graphs. float64: same argument at double precision.
# the oracle bounds and their reason: tools.proof.tolerances.ORACLE
TOLERANCE = {getattr(tf, name): value for name, value in ORACLE.items()}



def _examples(per_default_profile, fast=None):
    """Scale a per-test example count with the active hypothesis profile (12 examples in
    the default ``fast`` profile). ``fast``: the count in the ``fast`` profile (CI), where
    every template x runner still gets its examples; other profiles (``thorough``) scale
    ``per_default_profile``."""
    if fast is not None and settings.default.max_examples <= 12:
        return fast
    scale = settings.default.max_examples / 12.0  # 12 = the "fast" profile
    return max(2, int(round(per_default_profile * scale)))


def _forget_bias():
    return st.sampled_from([0.0, 1.0, 0.5, -0.7, 2.0])


def _dims():
    return st.fixed_dictionaries({
        "units": st.integers(1, 6),
        "input_size": st.integers(1, 5),
        "steps": st.integers(1, 5),
        "batch": st.integers(1, 4),
    })


# name -> function(draw, units) -> CellSpec. Every TF1 option of every cell appears.
def _basic_rnn(draw, u):
    return CellSpec("BasicRNNCell", (("num_units", u),))


def _basic_rnn_relu(draw, u):
    return CellSpec("BasicRNNCell", (("num_units", u), ("activation", "relu")))


def _basic_lstm(draw, u):
    return CellSpec("BasicLSTMCell", (("num_units", u), ("forget_bias", draw(_forget_bias()))))


def _basic_lstm_concat_state(draw, u):
    return CellSpec("BasicLSTMCell", (("num_units", u), ("forget_bias", draw(_forget_bias())),
                                      ("state_is_tuple", False)))


def _basic_lstm_activation(draw, u):
    return CellSpec("BasicLSTMCell", (("num_units", u), ("activation", "relu")))


def _lstm(draw, u):
    return CellSpec("LSTMCell", (("num_units", u), ("forget_bias", draw(_forget_bias()))))


def _lstm_peepholes(draw, u):
    return CellSpec("LSTMCell", (("num_units", u), ("use_peepholes", True),
                                 ("forget_bias", draw(_forget_bias()))))


def _lstm_cell_clip(draw, u):
    return CellSpec("LSTMCell", (("num_units", u), ("cell_clip", draw(st.sampled_from([0.05, 0.3, 1.0])))))


def _lstm_projection(draw, u):
    return CellSpec("LSTMCell", (("num_units", u), ("num_proj", draw(st.integers(1, 4)))))


def _lstm_projection_clip(draw, u):
    return CellSpec("LSTMCell", (("num_units", u), ("num_proj", draw(st.integers(1, 4))),
                                 ("proj_clip", draw(st.sampled_from([0.02, 0.1, 0.5])))))


def _lstm_everything(draw, u):
    return CellSpec("LSTMCell", (("num_units", u), ("use_peepholes", True), ("cell_clip", 0.2),
                                 ("num_proj", draw(st.integers(1, 4))), ("proj_clip", 0.1),
                                 ("forget_bias", draw(_forget_bias())),
                                 ("state_is_tuple", draw(st.booleans()))))


def _lstm_shards(draw, u):
    return CellSpec("LSTMCell", (("num_units", u), ("num_proj", 2), ("num_unit_shards", 2),
                                 ("num_proj_shards", 2), ("use_peepholes", True)))


def _lstm_activation(draw, u):
    return CellSpec("LSTMCell", (("num_units", u), ("activation", "sigmoid")))


def _gru(draw, u):
    return CellSpec("GRUCell", (("num_units", u),))


def _gru_activation(draw, u):
    return CellSpec("GRUCell", (("num_units", u), ("activation", "relu")))


def _any_simple(draw, u, tuple_states=True):
    kinds = [_basic_rnn, _gru, _basic_lstm, _lstm_peepholes, _lstm_projection] if tuple_states \
        else [_basic_rnn, _gru, _basic_lstm_concat_state]
    return draw(st.sampled_from(kinds))(draw, u)


def _multi(draw, u):
    layers = draw(st.integers(1, 3))
    inner = tuple(_any_simple(draw, draw(st.integers(1, 5))) for _ in range(layers))
    return CellSpec("MultiRNNCell", (), inner)


def _multi_concat_state(draw, u):
    layers = draw(st.integers(1, 3))
    inner = tuple(_any_simple(draw, draw(st.integers(1, 5)), tuple_states=False)
                  for _ in range(layers))
    return CellSpec("MultiRNNCell", (("state_is_tuple", False),), inner)


_KEEP = st.sampled_from([1.0, 0.9, 0.5, 0.3])


def _dropout(draw, u):
    inner = _any_simple(draw, u)
    return CellSpec("DropoutWrapper", (("input_keep_prob", draw(_KEEP)),
                                       ("output_keep_prob", draw(_KEEP)),
                                       ("state_keep_prob", draw(_KEEP)),
                                       ("seed", draw(st.integers(0, 2**16)))), (inner,))


def _dropout_multi(draw, u):
    """The tutorial pattern MultiRNNCell([DropoutWrapper(LSTM), ...])."""
    inner = tuple(CellSpec("DropoutWrapper", (("output_keep_prob", draw(_KEEP)), ("seed", 7 + i)),
                           (_basic_lstm(draw, draw(st.integers(1, 5))),))
                  for i in range(draw(st.integers(1, 3))))
    return CellSpec("MultiRNNCell", (), inner)


TEMPLATES = {
    "BasicRNNCell": _basic_rnn,
    "BasicRNNCell-activation": _basic_rnn_relu,
    "BasicLSTMCell-forget_bias": _basic_lstm,
    "BasicLSTMCell-state_is_tuple=False": _basic_lstm_concat_state,
    "BasicLSTMCell-activation": _basic_lstm_activation,
    "LSTMCell-forget_bias": _lstm,
    "LSTMCell-use_peepholes": _lstm_peepholes,
    "LSTMCell-cell_clip": _lstm_cell_clip,
    "LSTMCell-num_proj": _lstm_projection,
    "LSTMCell-proj_clip": _lstm_projection_clip,
    "LSTMCell-all-options": _lstm_everything,
    "LSTMCell-shards": _lstm_shards,
    "LSTMCell-activation": _lstm_activation,
    "GRUCell": _gru,
    "GRUCell-activation": _gru_activation,
    "MultiRNNCell": _multi,
    "MultiRNNCell-state_is_tuple=False": _multi_concat_state,
    "DropoutWrapper-keep_probs": _dropout,
    "MultiRNNCell-of-DropoutWrapper": _dropout_multi,
}
_ONE = os.environ.get("KIT_ONE_CONTAINING")
_SELECTED = [k for k in TEMPLATES if not _ONE or _ONE.lower() in k.lower()]


@st.composite
def _case(draw, template):
    dims = draw(_dims())
    spec = TEMPLATES[template](draw, dims["units"])
    dtype = draw(st.sampled_from([tf.float32, tf.float64]))
    with_seq_len = draw(st.booleans())
    seq_len = None
    if with_seq_len:
        seq_len = draw(st.lists(st.integers(0, dims["steps"]), min_size=dims["batch"],
                                max_size=dims["batch"]))
        if dims["batch"] >= 2:  # always include an empty and a full sequence
            seq_len[0], seq_len[1] = 0, dims["steps"]
    seed = draw(st.integers(0, 2**31 - 1))
    return spec, dims, dtype, seq_len, seed


def _feed(built, dims, dtype, seq_len, rng):
    x = rng.normal(size=(dims["batch"], dims["steps"], dims["input_size"]))
    feed = {built.x: x.astype(dtype.as_numpy_dtype)}
    if seq_len is not None:
        feed[built.seq_len] = np.asarray(seq_len, np.int32)
    return feed


def _record(key, diff):
    MEASURED[key] = max(MEASURED.get(key, 0.0), diff)


def _oracle_cases():
    """(template, runner): every template with every runner. In the ``fast`` profile each
    template runs by default with two of them -- one static and one dynamic runner, one
    unidirectional and one bidirectional, taking turns down the templates -- so every
    template and every runner is compared with TF1's code (and static vs dynamic for every
    template below); the other pairs run with ``-m slow``, and all of them by default in
    other profiles."""
    fast = settings.default.max_examples <= 12
    cases = []
    for index, template in enumerate(_SELECTED):
        turn = ({"static_rnn", "bidirectional_dynamic_rnn"} if index % 2 == 0
                else {"static_bidirectional_rnn", "dynamic_rnn"})
        for runner in RUNNERS:
            marks = [pytest.mark.slow] if fast and runner not in turn else []
            cases.append(pytest.param(template, runner, marks=marks,
                                      id=f"{template}-{runner}"))
    return cases


@pytest.mark.parametrize("template, runner", _oracle_cases())
def test_matches_tf1_oracle(template, runner):
    @settings(max_examples=_examples(3, fast=1))
    @given(case=_case(template))
    def check(case):
        spec, dims, dtype, seq_len, seed = case
        if runner in ("dynamic_rnn", "bidirectional_dynamic_rnn"):
            # Inside a while_loop a seeded dropout op has no data dependence on the time
            # step (its noise shape is static), so with parallel_iterations the draws are
            # assigned to steps in a run-dependent order: the same TF1 graph gives other
            # masks from run to run. Exact comparison of dropout masks is done with the
            # static runners; here the wrappers run with keep probability 1.
            spec = _without_dropout(spec)
        built = build_side_by_side(spec, runner, steps=dims["steps"],
                                   input_size=dims["input_size"], dtype=dtype,
                                   with_seq_len=seq_len is not None)
        with built.session:
            oracle_vars, compat_vars = built.variables["oracle"], built.variables["compat"]
            assert sorted(compat_vars) == sorted(oracle_vars), spec.label
            for name, var in oracle_vars.items():
                assert compat_vars[name].shape.as_list() == var.shape.as_list(), name
                assert compat_vars[name].dtype.base_dtype == var.dtype.base_dtype, name
            rng = np.random.default_rng(seed)
            randomize_variables(built, rng)
            out = built.session.run([built.outputs, built.states],
                                    feed_dict=_feed(built, dims, dtype, seq_len, rng))
            (outs, states) = out
            diff_out = max_abs_diff(outs["oracle"], outs["compat"])
            diff_state = max_abs_diff(states["oracle"], states["compat"])
            assert tf.nest.flatten(states["oracle"]).__len__() == \
                tf.nest.flatten(states["compat"]).__len__()
        _record((template, runner, dtype.name), max(diff_out, diff_state))
        tol = TOLERANCE[dtype]
        assert diff_out <= tol, f"{spec.label} outputs differ by {diff_out}"
        assert diff_state <= tol, f"{spec.label} final states differ by {diff_state}"

    check()


def _without_dropout(spec):
    options = tuple((k, 1.0 if k.endswith("keep_prob") else v) for k, v in spec.options)
    return CellSpec(spec.kind, options, tuple(_without_dropout(c) for c in spec.inner))


@pytest.mark.parametrize("template", _SELECTED)
def test_static_rnn_equals_dynamic_rnn(template):
    @settings(max_examples=_examples(2))
    @given(case=_case(template))
    def check(case):
        spec, dims, dtype, seq_len, seed = case
        # static_rnn creates one dropout op per step (each with the wrapper's seed),
        # dynamic_rnn one op inside the loop: same distribution, different draws. So
        # this property is checked with every keep probability set to 1.
        spec = _without_dropout(spec)
        built = build_side_by_side(
            spec, None, steps=dims["steps"], input_size=dims["input_size"], dtype=dtype,
            with_seq_len=seq_len is not None,
            sides=(("static", "compat", "static_rnn"), ("dynamic", "compat", "dynamic_rnn")))
        with built.session:
            assert sorted(built.variables["static"]) == sorted(built.variables["dynamic"])
            rng = np.random.default_rng(seed)
            randomize_variables(built, rng)
            outs, states = built.session.run([built.outputs, built.states],
                                             feed_dict=_feed(built, dims, dtype, seq_len, rng))
        diff = max(max_abs_diff(outs["static"], outs["dynamic"]),
                   max_abs_diff(states["static"], states["dynamic"]))
        _record((template, "static_vs_dynamic", dtype.name), diff)
        assert diff <= TOLERANCE[dtype], f"{spec.label}: static vs dynamic differ by {diff}"

    check()


@pytest.mark.parametrize("direction", ["oracle->compat", "compat->oracle"])
@pytest.mark.parametrize("runner", ["static_rnn", "static_bidirectional_rnn"])
@pytest.mark.parametrize("template", [t for t in ("BasicLSTMCell-forget_bias", "LSTMCell-all-options",
                                                  "GRUCell", "MultiRNNCell", "BasicRNNCell")
                                      if t in _SELECTED])
def test_checkpoint_restores_across_implementations(template, runner, direction, tmp_path):
    """A tf.compat.v1.train.Saver checkpoint moves between the two worlds unchanged."""
    writer, reader = direction.split("->")

    @settings(max_examples=_examples(1, fast=1))
    @given(case=_case(template))
    def check(case):
        spec, dims, dtype, seq_len, seed = case
        kwargs = dict(steps=dims["steps"], input_size=dims["input_size"], dtype=dtype,
                      with_seq_len=seq_len is not None)
        src = build_side_by_side(spec, runner, sides=((None, writer, runner),), **kwargs)
        dst = build_side_by_side(spec, runner, sides=((None, reader, runner),), **kwargs)
        rng = np.random.default_rng(seed)
        feed_rng = np.random.default_rng(seed + 1)
        with src.session, dst.session:
            randomize_variables(src, rng)
            with src.graph.as_default():
                path = v1.train.Saver().save(src.session, str(tmp_path / "model.ckpt"))
            with dst.graph.as_default():
                v1.train.Saver().restore(dst.session, path)
            feed_src = _feed(src, dims, dtype, seq_len, feed_rng)
            feed_dst = {dst.x: feed_src[src.x]}
            if seq_len is not None:
                feed_dst[dst.seq_len] = feed_src[src.seq_len]
            a = src.session.run([src.outputs, src.states], feed_dict=feed_src)
            b = dst.session.run([dst.outputs, dst.states], feed_dict=feed_dst)
        diff = max_abs_diff(a, b)
        _record((template, f"checkpoint {direction}", dtype.name), diff)
        assert diff <= TOLERANCE[dtype], f"{spec.label}: restored outputs differ by {diff}"

    check()
