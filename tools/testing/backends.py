"""Every Keras backend: run the Keras side of a check on TensorFlow, JAX or PyTorch.

A Keras 3 backend is fixed per process (``KERAS_BACKEND`` before ``import keras``), so a
check on another backend than the current one runs its Keras side in a subprocess on
that backend; arrays go through an ``.npz`` in a temporary directory, the model through a
``.keras`` file.

* :func:`check_backend` / :func:`require_backend`: a backend name, validated; a clear
  :class:`BackendUnavailable` (an ``ImportError``) when its package is not installed;
* :func:`value_and_grad`: a scalar function of Keras ops and its gradients w.r.t. some
  inputs and variables, by the backend's own autodiff (``tf.GradientTape``,
  ``jax.value_and_grad``, ``torch.autograd``);
* :func:`run_on_backend`: ``python -m <module> <args>`` with ``KERAS_BACKEND`` set;
* :func:`keras_outputs_on_backend`: a ``keras.Model``'s outputs on inputs, computed on a
  given backend (``tools.testing.assert_equivalent(..., backend=...)`` uses it).

This module imports neither TensorFlow nor Keras at import time.
"""
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

__all__ = [
    "BACKENDS",
    "BackendUnavailable",
    "current_backend",
    "check_backend",
    "backend_available",
    "require_backend",
    "run_on_backend",
    "value_and_grad",
    "keras_outputs_on_backend",
]

#: Keras 3's backends and the package each one needs
BACKENDS = ("tensorflow", "jax", "torch")
PACKAGES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
_INSTALL = {"tensorflow": "pip install tensorflow",
            "jax": "pip install 'tf1-rnn-migration-kit[jax]' (or pip install jax)",
            "torch": "pip install 'tf1-rnn-migration-kit[torch]' (or pip install torch)"}
_SUBPROCESS_TIMEOUT = 600


class BackendUnavailable(ImportError):
    """The requested Keras backend's package is not installed."""


def current_backend() -> str:
    """The Keras backend of this process (imports Keras)."""
    import keras

    return keras.backend.backend()


def check_backend(backend, *, name="backend") -> Optional[str]:
    """``None`` or one of :data:`BACKENDS` (returned as it is); anything else raises."""
    if backend is None:
        return None
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise ValueError(f"{name} must be None (this process' Keras backend) or one of "
                         f"{BACKENDS}, got {backend!r}")
    return backend


def backend_available(backend: str) -> bool:
    """True when the package of ``backend`` is importable (without importing it)."""
    return importlib.util.find_spec(PACKAGES[check_backend(backend)]) is not None


def require_backend(backend: str) -> str:
    """``backend``, or :class:`BackendUnavailable` naming the package and how to install it."""
    if not backend_available(backend):
        raise BackendUnavailable(
            f"the Keras backend {backend!r} needs the Python package "
            f"{PACKAGES[backend]!r}, which is not installed in {sys.executable}: "
            f"{_INSTALL[backend]}")
    return backend


def _subprocess_env(backend):
    env = dict(os.environ, KERAS_BACKEND=backend)
    # the same modules as here: the repository, the user's test directories
    paths = [p for p in sys.path if p] + env.get("PYTHONPATH", "").split(os.pathsep)
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(p for p in paths if p))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if backend == "jax":
        env.setdefault("JAX_PLATFORMS", "cpu")  # no accelerator probing: same numbers
    return env


def run_on_backend(backend: str, module: str, args: Sequence[str], *,
                   timeout: float = _SUBPROCESS_TIMEOUT) -> subprocess.CompletedProcess:
    """Run ``python -m module *args`` on the Keras ``backend``; a non-zero exit raises
    ``RuntimeError`` with the end of its output."""
    require_backend(backend)
    proc = subprocess.run([sys.executable, "-m", module, *args], env=_subprocess_env(backend),
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"the Keras side on backend {backend!r} failed (python -m {module}"
                           f" exited with {proc.returncode}):\n{proc.stderr[-6000:]}"
                           f"{proc.stdout[-2000:]}")
    return proc


# ------------------------------------------------------------------------------------
# gradients by the backend's own autodiff
# ------------------------------------------------------------------------------------
def value_and_grad(fn, variables, inputs):
    """``fn(*inputs)`` (a scalar of Keras ops, reading ``variables``) and its gradients.

    Args:
        fn: ``fn(*inputs) -> scalar tensor``; it may read any Keras variable, e.g. call a
            model (inputs it does not differentiate, like lengths, are closed over).
        variables: the Keras variables to differentiate with respect to.
        inputs: float arrays, passed to ``fn`` as tensors and differentiated too.

    Returns:
        ``(value, input_gradients, variable_gradients)`` as numpy arrays (zeros where
        ``fn`` does not depend on one).
    """
    import keras

    backend = keras.backend.backend()
    variables, inputs = list(variables), [np.asarray(x) for x in inputs]
    if backend == "tensorflow":
        import tensorflow as tf

        xs = [tf.constant(x) for x in inputs]
        with tf.GradientTape() as tape:
            tape.watch(xs)
            value = fn(*xs)
        grads = tape.gradient(value, xs + [v.value for v in variables])
    elif backend == "jax":
        import jax

        def pure(values, xs):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                return fn(*xs)

        value, (var_grads, x_grads) = jax.value_and_grad(pure, argnums=(0, 1))(
            [v.value for v in variables], [jax.numpy.asarray(x) for x in inputs])
        grads = list(x_grads) + list(var_grads)
    elif backend == "torch":
        import torch

        xs = [keras.ops.convert_to_tensor(x).detach().requires_grad_(True) for x in inputs]
        value = fn(*xs)
        grads = torch.autograd.grad(value, xs + [v.value for v in variables],
                                    allow_unused=True)
    else:
        raise ValueError(f"value_and_grad supports the backends {BACKENDS}; this process "
                         f"runs Keras on {backend!r}")
    shapes = [x.shape for x in inputs] + [tuple(v.shape) for v in variables]
    grads = [np.zeros(shape, np.float32) if g is None else
             np.asarray(keras.ops.convert_to_numpy(g)) for g, shape in zip(grads, shapes)]
    value = float(keras.ops.convert_to_numpy(value))
    return value, grads[:len(inputs)], grads[len(inputs):]


# ------------------------------------------------------------------------------------
# a model's outputs on another backend (assert_equivalent(backend=...))
# ------------------------------------------------------------------------------------
def _layer_modules(model) -> List[str]:
    """The modules defining the model's (non-Keras) classes, to import before loading."""
    layers = [model] + list(model._flatten_layers(include_self=False, recursive=True))
    modules = {type(layer).__module__ for layer in layers}
    return sorted(m for m in modules if m != "__main__" and m.split(".")[0] != "keras")


def keras_outputs_on_backend(keras_model, feeds: Dict[str, np.ndarray], backend: str):
    """``keras_model``'s outputs on ``feeds``, computed by Keras on ``backend``.

    The model (with its current weights) goes to a fresh process through a ``.keras``
    file, so it must be a ``keras.Model`` that ``model.save`` can write, and its custom
    classes must be registered (``keras.saving.register_keras_serializable``) in
    importable modules. Returns ``(named, [(name, array)])`` as
    :func:`tools.testing.assertions._structure` does.
    """
    import keras

    require_backend(backend)
    if not isinstance(keras_model, keras.Model):
        raise TypeError(f"backend={backend!r} runs the Keras side in a {backend} process, "
                        f"which receives the model as a .keras file: keras_model must be a "
                        f"keras.Model, got {keras_model!r}")
    with tempfile.TemporaryDirectory(prefix="rnn-migrate-backend-") as directory:
        path = Path(directory)
        keras_model.save(path / "model.keras")
        np.savez(path / "inputs.npz", **{f"i{k}": v for k, v in enumerate(feeds.values())})
        (path / "call.json").write_text(json.dumps(
            {"inputs": list(feeds), "modules": _layer_modules(keras_model)}))
        run_on_backend(backend, __name__, ["call", directory])
        result = json.loads((path / "outputs.json").read_text())
        with np.load(path / "outputs.npz") as arrays:
            items = [(name, arrays[f"o{k}"]) for k, name in enumerate(result["names"])]
    return result["named"], items


def _call_saved_model(directory):
    """In the subprocess: load ``model.keras``, call it on ``inputs.npz``, write outputs."""
    import keras

    from tools.testing.assertions import _keras_call, _structure

    path = Path(directory)
    request = json.loads((path / "call.json").read_text())
    for module in request["modules"]:
        try:
            importlib.import_module(module)
        except ImportError:  # load_model below names the class it cannot find
            pass
    model = keras.saving.load_model(path / "model.keras")
    with np.load(path / "inputs.npz") as arrays:
        feeds = {name: arrays[f"i{k}"] for k, name in enumerate(request["inputs"])}
    named, items = _structure(_keras_call(model, feeds))
    np.savez(path / "outputs.npz", **{f"o{k}": np.asarray(v) for k, (_, v) in enumerate(items)})
    (path / "outputs.json").write_text(json.dumps(
        {"named": named, "names": [name for name, _ in items],
         "backend": keras.backend.backend()}))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] != "call":
        raise SystemExit("usage: python -m tools.testing.backends call DIRECTORY")
    _call_saved_model(argv[1])


if __name__ == "__main__":
    main()
