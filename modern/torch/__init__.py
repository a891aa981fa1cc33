"""modern.torch: TF1 RNNs as PyTorch modules (an optional extra: ``pip install
'tf1-rnn-migration-kit[torch]'``; nothing else in the kit imports torch).

* :func:`from_tf1_checkpoint` (path, **runtime_options) -> :class:`TF1RNN`: the checkpoint
  is read and its RNN inferred by :mod:`modern.checkpoint` (the same options as
  :func:`modern.from_tf1_checkpoint`);
* :func:`from_keras` (a Keras model built by ``modern``) -> :class:`TF1RNN`, and
  :func:`to_keras` (a :class:`TF1RNN`) -> the Keras model of :func:`modern.build_keras_model`;
* :class:`TF1RNN` (``modern.torch.TF1RNN(spec)``): ``forward(x[, sequence_length])``
  returns the Keras model's dict (``"outputs"``, the final states under
  :func:`modern.spec.state_names`, ``"logits"``); ``nn.LSTM`` / ``nn.RNN`` where they
  are exact, :mod:`modern.torch.cells` elsewhere (see :mod:`modern.torch.rnn`).

The module keeps its spec (``module.spec``); :func:`constructor` spells the Python
expression that rebuilds it, to ``load_state_dict`` a saved ``state_dict``.
"""
from modern import models as _models
from modern.torch import cells
from modern.torch.rnn import BUILTINS, TORCH_CELLS, TF1RNN, torch_target

__all__ = ["TF1RNN", "from_tf1_checkpoint", "from_keras", "to_keras", "constructor",
           "torch_target", "TORCH_CELLS", "BUILTINS", "cells"]


def from_tf1_checkpoint(path, **runtime_options) -> TF1RNN:
    """A TF1 checkpoint -> the equivalent :class:`TF1RNN`, weights loaded.

    ``path`` and ``runtime_options`` as in :func:`modern.from_tf1_checkpoint`
    (``forget_bias``, ``cell_clip``, ``proj_clip``, ``activation``, ``cell_type``,
    ``readout``, ``ignore``, ``ignore_optimizer_slots``, ``scope``, ``masked``; ``steps``
    is accepted and unused: the module takes any number of steps). Same errors.
    """
    from modern.checkpoint import read_tf1_checkpoint

    found = read_tf1_checkpoint(path, **runtime_options)
    return TF1RNN(found.spec).load_tf1_weights(found.rnn_variables, found.readout)


def _spec_of(model, spec):
    spec = spec if spec is not None else getattr(model, "tf1_spec", None)
    if spec is None:
        raise ValueError("from_keras needs the model's RNNSpec: the model carries none "
                         "(model.tf1_spec is set by modern.from_tf1_checkpoint); pass spec=")
    return spec


def from_keras(keras_model, spec=None) -> TF1RNN:
    """A Keras model of :func:`modern.build_keras_model` -> the same RNN as a :class:`TF1RNN`.

    ``spec``: the model's :class:`~modern.spec.RNNSpec`, by default ``keras_model.tf1_spec``
    (what :func:`modern.from_tf1_checkpoint` and :func:`to_keras` set).
    """
    spec = _spec_of(keras_model, spec)
    tf1_vars, readout = _models.get_tf1_weights(keras_model, spec)
    return TF1RNN(spec).load_tf1_weights(tf1_vars, readout)


def to_keras(module: TF1RNN, steps=None):
    """A :class:`TF1RNN` -> :func:`modern.build_keras_model`'s model, weights loaded
    (``model.tf1_spec`` set)."""
    if not isinstance(module, TF1RNN):
        raise TypeError(f"to_keras takes a modern.torch.TF1RNN. Received: "
                        f"{type(module).__name__}")
    model = _models.build_keras_model(module.spec, steps=steps)
    tf1_vars, readout = module.tf1_weights()
    _models.set_tf1_weights(model, module.spec, tf1_vars, readout)
    model.tf1_spec = module.spec
    return model


def constructor(module_or_spec) -> str:
    """The Python expression that builds an (untrained) module of this spec: paste it after
    ``import modern.torch`` and ``from modern.spec import CellSpec, RNNSpec``, then
    ``load_state_dict``."""
    spec = getattr(module_or_spec, "spec", module_or_spec)
    return f"modern.torch.TF1RNN({spec!r})"
