"""modern.optimizers: the table the porter reads, and TF1RMSprop.

The table's every entry is proven by the migration pairs of tools/proof/pairs/optimizers.py
(tests/proof/test_pairs.py::test_pair_equivalence runs them against TF1's own
tf.compat.v1.train optimizers). Here:

* the table's TF1 signatures (argument names, positional order, defaults) ARE TF1's: read
  from TF1's own code (tf.compat.v1.train.*, tf.clip_by_*) with inspect;
* the mapping functions: TF1 defaults applied, positional arguments in TF1's order, every
  Keras argument reaching the Keras object (its get_config), clear errors for bad calls;
* TF1RMSprop: the same trajectory on the JAX (and, slow, torch) backend as on TensorFlow,
  where the pairs prove it equal to TF1's RMSPropOptimizer; get_config round trip; a
  ``.keras`` file with it loads with its slots and continues the same trajectory.
"""
import inspect
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from modern import optimizers as table
from modern.optimizers import REQUIRED, NotPortableError, TF1RMSprop
from tests.support.helpers import run_python
from tools.testing import backends

# every table entry and TF1's own callable it describes
TF1_CALLABLES = dict(
    [(name, getattr(tf.compat.v1.train, name).__init__) for name in table.OPTIMIZERS]
    + [(name, getattr(tf.compat.v1, name)) for name in table.CLIPPING]
    + [(name, getattr(tf.compat.v1.train, name)) for name in ("exponential_decay",
                                                             "piecewise_constant")]
    + [("assign", tf.compat.v1.assign)])


@pytest.mark.parametrize("name", sorted(TF1_CALLABLES))
def test_signature_is_tf1s(name):
    """Names, positional order and defaults as TF1's own code declares them."""
    parameters = [p for p in inspect.signature(TF1_CALLABLES[name]).parameters.values()
                  if p.name != "self"]
    expected = tuple((p.name, REQUIRED if p.default is inspect.Parameter.empty else p.default)
                     for p in parameters)
    assert table.lookup(name).signature == expected


@pytest.mark.parametrize("spelling", ["tf.train.AdamOptimizer", "tf.compat.v1.train.AdamOptimizer",
                                      "AdamOptimizer"])
def test_lookup_spellings(spelling):
    assert table.lookup(spelling) is table.OPTIMIZERS["AdamOptimizer"]


def test_lookup_aliases_and_unknown():
    assert table.lookup("tf.compat.v1.train.piecewise_constant_decay") is \
        table.SCHEDULES["piecewise_constant"]
    assert table.lookup("tf.clip_by_global_norm") is table.CLIPPING["clip_by_global_norm"]
    assert table.OPTIMIZERS["AdamOptimizer"].spellings == (
        "tf.train.AdamOptimizer", "tf.compat.v1.train.AdamOptimizer")
    with pytest.raises(KeyError, match="FtrlOptimizer.*known: .*AdamOptimizer"):
        table.lookup("tf.train.FtrlOptimizer")


def test_tf1_defaults_applied_and_positional_order():
    adam = table.OPTIMIZERS["AdamOptimizer"]
    assert adam.keras_kwargs() == {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999,
                                   "epsilon": 1e-8}
    assert adam.keras_kwargs(0.01, 0.8, use_locking=True, name="x")["beta_1"] == 0.8
    # RMSPropOptimizer(learning_rate, decay, momentum, epsilon, use_locking, centered, name)
    assert table.OPTIMIZERS["RMSPropOptimizer"].keras_kwargs(0.01, 0.8, 0.5, 1e-6, False, True) == {
        "learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "epsilon": 1e-6, "centered": True}
    assert table.OPTIMIZERS["AdagradOptimizer"].keras_kwargs(0.1) == {
        "learning_rate": 0.1, "initial_accumulator_value": 0.1, "epsilon": 0.0}
    assert table.OPTIMIZERS["MomentumOptimizer"].keras_kwargs(0.1, 0.9, use_nesterov=True) == {
        "learning_rate": 0.1, "momentum": 0.9, "nesterov": True}
    assert table.CLIPPING["clip_by_value"].keras_kwargs(None, -0.5, 0.5) == {"clipvalue": 0.5}
    assert table.CLIPPING["clip_by_global_norm"].keras_kwargs("grads", clip_norm=5.0) == {
        "global_clipnorm": 5.0}
    assert table.SCHEDULES["exponential_decay"].keras_kwargs(0.1, "step", 100, 0.96) == {
        "initial_learning_rate": 0.1, "decay_steps": 100, "decay_rate": 0.96,
        "staircase": False}


def test_settings_are_those_keras_defaults_get_wrong():
    """What the registry shows as 'must be set': the mapped TF1 defaults Keras differs on."""
    assert table.OPTIMIZERS["AdamOptimizer"].settings == {"epsilon": 1e-8}
    assert table.OPTIMIZERS["AdadeltaOptimizer"].settings == {"epsilon": 1e-8}
    assert table.OPTIMIZERS["AdagradOptimizer"].settings == {"epsilon": 0.0}
    assert table.OPTIMIZERS["RMSPropOptimizer"].settings == {}  # TF1RMSprop has TF1's


_REQUIRED_VALUES = {"learning_rate": 0.05, "momentum": 0.9}


@pytest.mark.parametrize("name", sorted(table.OPTIMIZERS))
def test_every_keras_argument_reaches_the_optimizer(name):
    target = table.OPTIMIZERS[name]
    required = {n: _REQUIRED_VALUES[n] for n, d in target.signature if d is REQUIRED}
    kwargs = target.keras_kwargs(**required)
    config = target.build(**required).get_config()
    for key, value in kwargs.items():
        assert config[key] == pytest.approx(value, rel=1e-7), (name, key)  # lr is float32


@pytest.mark.parametrize("call, message", [
    (lambda: table.OPTIMIZERS["MomentumOptimizer"].keras_kwargs(0.1),
     "missing a required argument: 'momentum'.*MomentumOptimizer\\(learning_rate, momentum"),
    (lambda: table.OPTIMIZERS["AdamOptimizer"].keras_kwargs(beta_1=0.9),
     "unexpected keyword argument 'beta_1'.*AdamOptimizer\\(learning_rate=0.001, beta1=0.9"),
    (lambda: table.OPTIMIZERS["AdamOptimizer"].keras_kwargs(*range(8)),
     "too many positional arguments"),
    (lambda: table.OPTIMIZERS["AdamOptimizer"].keras_kwargs(0.1, learning_rate=0.1),
     "multiple values for argument 'learning_rate'"),
    (lambda: table.OPTIMIZERS["AdagradOptimizer"].keras_kwargs(0.1, 0.0),
     "initial_accumulator_value must be positive: 0.0"),
    (lambda: table.CLIPPING["clip_by_value"].keras_kwargs(None, -0.1, 0.5),
     "range \\[-0.1, 0.5\\] is not symmetric"),
    (lambda: table.CLIPPING["clip_by_value"].keras_kwargs(None, "lo", "hi"),
     "expected two numbers"),
    (lambda: table.CLIPPING["clip_by_norm"].keras_kwargs(None, 1.0, axes=[0]),
     "axes=\\[0\\].*expected axes=None"),
    (lambda: table.CLIPPING["clip_by_global_norm"].keras_kwargs(None, 1.0, use_norm=2.0),
     "expected use_norm=None"),
    (lambda: table.SCHEDULES["exponential_decay"].keras_kwargs(0.1, None, 10, 0.5),
     "global_step is required"),
    (lambda: table.SCHEDULES["piecewise_constant"].keras_kwargs("step", [10], [0.1]),
     "1 values for 1 boundaries; expected len\\(boundaries\\) \\+ 1"),
])
def test_bad_calls_raise_clearly(call, message):
    with pytest.raises(NotPortableError, match=message):
        call()


@pytest.mark.parametrize("kwargs, message", [
    ({"rho": 1.5}, "invalid rho=1.5; expected a float in \\[0.0, 1.0\\]"),
    ({"momentum": -0.1}, "invalid momentum=-0.1; expected a float >= 0.0"),
    ({"epsilon": "small"}, "invalid epsilon='small'"),
])
def test_tf1_rmsprop_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TF1RMSprop(0.01, **kwargs)


def test_tf1_rmsprop_config_round_trip():
    optimizer = TF1RMSprop(0.02, rho=0.8, momentum=0.5, epsilon=1e-6, centered=True,
                           global_clipnorm=1.0)
    config = optimizer.get_config()
    assert {k: config[k] for k in ("rho", "momentum", "epsilon", "centered",
                                   "global_clipnorm")} == {
        "rho": 0.8, "momentum": 0.5, "epsilon": 1e-6, "centered": True, "global_clipnorm": 1.0}
    again = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert type(again) is TF1RMSprop and again.get_config() == config


# ---------------------------------------------------------------------------------------
# the same trajectory on every backend (the TF backend's is TF1's: the pairs prove it)
# ---------------------------------------------------------------------------------------
_GRADIENTS = np.random.default_rng(3).normal(size=(4, 2, 3)).astype("float32")
_START = np.random.default_rng(4).uniform(-0.5, 0.5, size=(2, 3)).astype("float32")
_SETTINGS = [dict(learning_rate=0.01), dict(learning_rate=0.01, momentum=0.9, rho=0.8,
                                            centered=True)]

_BACKEND_SCRIPT = """
import json, sys
import numpy as np
import keras
from modern.optimizers import TF1RMSprop
assert "tensorflow" not in sys.modules, "TF1RMSprop imported TensorFlow"
settings, start, gradients = json.loads({payload!r})
result = []
for kwargs in settings:
    variable = keras.Variable(np.array(start, "float32"))
    optimizer = TF1RMSprop(**kwargs)
    for g in gradients:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(np.array(g, "float32")),
                                    variable)])
    result.append(np.asarray(keras.ops.convert_to_numpy(variable)).tolist())
print("RESULT" + json.dumps([keras.backend.backend(), result]))
"""


def _trajectory_here(kwargs):
    variable = keras.Variable(_START)
    optimizer = TF1RMSprop(**kwargs)
    for g in _GRADIENTS:
        optimizer.apply_gradients([(tf.constant(g), variable)])
    return variable.numpy()


def _on_backend(backend):
    payload = json.dumps([_SETTINGS, _START.tolist(), _GRADIENTS.tolist()])
    proc = run_python(["-c", _BACKEND_SCRIPT.format(payload=payload)],
                      env={"KERAS_BACKEND": backend}, timeout=300)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")][-1]
    name, result = json.loads(line[len("RESULT"):])
    assert name == backend
    return [np.array(r, np.float32) for r in result]


@pytest.mark.parametrize("backend", ["jax", pytest.param("torch", marks=pytest.mark.slow)])
def test_tf1_rmsprop_is_backend_neutral(backend):
    """The same 4 steps on another backend give TF's result within float32 rounding
    (2e-7: a few ulps of O(1) values; other backends' sqrt/divide kernels may round
    differently); a backend-specific op or an import of TensorFlow would fail here."""
    if not backends.backend_available(backend):
        pytest.skip(f"Keras backend {backend!r}: the package {backend!r} is not installed "
                    f"(pip install 'tf1-rnn-migration-kit[{backend}]')")
    for kwargs, there in zip(_SETTINGS, _on_backend(backend)):
        here = _trajectory_here(kwargs)
        assert np.abs(here - _START).max() > 1e-3  # it moved
        np.testing.assert_allclose(there, here, rtol=0, atol=2e-7, err_msg=str(kwargs))


def test_keras_file_with_tf1_rmsprop_resumes_exactly(tmp_path):
    """A compiled model saved to .keras loads with TF1RMSprop, its settings and its slots
    (ms, mom, mg): one more step after loading equals one more step without saving."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer=TF1RMSprop(0.01, momentum=0.9, centered=True), loss="mse")
    rng = np.random.default_rng(0)

    def step(m, grads):
        m.optimizer.apply_gradients(zip([tf.constant(g) for g in grads],
                                        m.trainable_variables))

    grads = [[rng.normal(size=v.shape).astype("float32") for v in model.trainable_variables]
             for _ in range(3)]
    step(model, grads[0])
    step(model, grads[1])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.optimizer) is TF1RMSprop
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    saved, restored = model.optimizer.variables, loaded.optimizer.variables
    # the same slots in the same order (the loaded model's layers may be named _1)
    suffixes = [v.path.rsplit("_", 1)[-1] for v in saved]
    assert suffixes == [v.path.rsplit("_", 1)[-1] for v in restored]
    assert {"ms", "momentum", "mg"} <= set(suffixes), suffixes
    for a, b in zip(saved, restored):
        np.testing.assert_array_equal(b.numpy(), a.numpy(), err_msg=a.path)
    step(model, grads[2])
    step(loaded, grads[2])
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
