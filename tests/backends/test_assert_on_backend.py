"""``tools.testing.assert_equivalent(..., backend=...)``, the plugin's ``--rnn-backend``
and marker option, and ``tools.testing.backends``' helpers."""
import importlib.util
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from legacy_compat import rnn_cell_impl as cells
from modern.models import CellSpec, RNNSpec, build_keras_model
from tests.support.helpers import run_python
from tools.testing import assert_equivalent, backends, weights_from_spec

SPEC = RNNSpec((CellSpec("LSTMCell", 4, use_peepholes=True),), input_size=3)
X = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")


def _graph(ph):
    out, state = tf.compat.v1.nn.dynamic_rnn(cells.LSTMCell(4, use_peepholes=True), ph["x"],
                                             dtype=tf.float32)
    return {"outputs": out, "fw/cell_0/c": state.c, "fw/cell_0/h": state.h}


@pytest.fixture(scope="module")
def model():
    return build_keras_model(SPEC, 5)


def test_this_process_backend_by_name(model):
    report = assert_equivalent(_graph, model, {"x": X}, backend="tensorflow",
                               weight_map=weights_from_spec(SPEC, "dynamic_rnn"))
    assert report.ok and "(Keras on tensorflow)" in report.title


def test_bad_backend_arguments(model, monkeypatch):
    with pytest.raises(ValueError, match=r"backend must be None .* one of \('tensorflow', "
                                         r"'jax', 'torch'\), got 'mxnet'"):
        assert_equivalent(_graph, model, {"x": X}, backend="mxnet")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "jax" else real(name, *a))
    with pytest.raises(backends.BackendUnavailable,
                       match=r"'jax' needs the Python package 'jax', which is not installed"
                             r".*pip install 'tf1-rnn-migration-kit\[jax\]'"):
        assert_equivalent(_graph, model, {"x": X}, backend="jax")
    assert isinstance(backends.BackendUnavailable("x"), ImportError)


def test_a_plain_callable_cannot_travel_to_another_backend():
    with pytest.raises(TypeError, match=r"backend='torch' .* keras_model must be a "
                                        r"keras.Model, got <function"):
        assert_equivalent(_graph, lambda x: x, {"x": X}, backend="torch")


def test_value_and_grad_on_this_backend():
    """d/dx and d/dw of sum(tanh(x @ w)) against the analytic gradient."""
    import keras

    w = keras.Variable(np.arange(6, dtype="float32").reshape(3, 2) / 10)
    x = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")
    value, (dx,), (dw,) = backends.value_and_grad(
        lambda t: keras.ops.sum(keras.ops.tanh(keras.ops.matmul(t, w))), [w], [x])
    h = np.tanh(x @ w.numpy())
    assert value == pytest.approx(h.sum(), abs=1e-5)  # float32 sum of 8 O(1) terms
    # float32 chain rule of 3-term dot products: a few ulps
    np.testing.assert_allclose(dx, (1 - h ** 2) @ w.numpy().T, atol=1e-6)
    np.testing.assert_allclose(dw, x.T @ (1 - h ** 2), atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_keras_side_on_another_backend(model, backend):
    if not backends.backend_available(backend):
        pytest.skip(f"{backend} is not installed (pip install 'tf1-rnn-migration-kit[{backend}]')")
    report = assert_equivalent(_graph, model, {"x": X}, backend=backend,
                               weight_map=weights_from_spec(SPEC, "dynamic_rnn"))
    assert report.ok and f"(Keras on {backend})" in report.title


@pytest.mark.slow
def test_plugin_option_and_marker(tmp_path):
    (tmp_path / "test_port.py").write_text(textwrap.dedent('''
        import pytest, numpy as np, tensorflow as tf
        from legacy_compat import rnn_cell_impl as cells
        from modern.models import CellSpec, RNNSpec, build_keras_model
        SPEC = RNNSpec((CellSpec("GRUCell", 3),), input_size=2)
        X = np.ones((2, 4, 2), "float32")

        def graph(ph):
            out, state = tf.compat.v1.nn.dynamic_rnn(cells.GRUCell(3), ph["x"], dtype=tf.float32)
            return {"outputs": out, "fw/cell_0/h": state}

        def test_option(rnn_equivalence):
            report = rnn_equivalence.assert_equivalent(
                graph, build_keras_model(SPEC, 4), {"x": X},
                weight_map=rnn_equivalence.weights_from_spec(SPEC, "dynamic_rnn"))
            assert report.title.endswith("(Keras on torch)")

        @pytest.mark.rnn_equivalence(backend="tensorflow")
        def test_marker_wins(rnn_equivalence):
            report = rnn_equivalence.assert_equivalent(
                graph, build_keras_model(SPEC, 4), {"x": X},
                weight_map=rnn_equivalence.weights_from_spec(SPEC, "dynamic_rnn"))
            assert report.title.endswith("(Keras on tensorflow)")
    '''))
    proc = run_python(["-m", "pytest", "-p", "tools.testing.plugin", "-n", "0", "-q",
                       "-p", "no:cacheprovider", "--rnn-backend", "torch", "-o", "addopts=",
                       str(tmp_path / "test_port.py")], cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "2 passed" in proc.stdout
