"""TF1 checkpoints <-> Keras 3 models: :func:`from_tf1_checkpoint` (read, infer, build,
load) and :func:`to_tf1_checkpoint` (write the TF1 checkpoint of a model's spec).

See :mod:`modern.checkpoint`.
"""
import os

import numpy as np

from modern import models as _models
from modern import spec as _spec
from modern.checkpoint.inference import read_tf1_checkpoint
from modern.checkpoint.naming import NAMINGS, _check_naming, tf1_name


def from_tf1_checkpoint(path, **runtime_options):
    """A TF1 checkpoint -> the equivalent Keras 3 model, weights loaded.

    Args:
        path: a checkpoint prefix (``.../model.ckpt``; its ``.index``/``.meta``/
            ``.data-*`` file names are accepted too) or a directory with a TF1
            ``checkpoint`` file (its latest checkpoint is read).
        **runtime_options: what a checkpoint does not store, TF1's defaults:
            ``forget_bias=1.0``, ``cell_clip=None``, ``proj_clip=None``,
            ``activation="tanh"``, ``cell_type=None`` (one value, or one per layer);
            ``readout=None`` (``(weights_name, biases_name)``), ``ignore=()``,
            ``ignore_optimizer_slots=True``, ``scope=None``, ``masked=False``,
            ``steps=None``. See the module docstring.

    Returns:
        :func:`modern.models.build_keras_model`'s ``keras.Model`` for the inferred
        spec (also at ``model.tf1_spec``), the checkpoint's weights loaded.

    Raises:
        FileNotFoundError: no checkpoint at ``path`` (the message names it).
        TypeError: an unknown keyword argument (named).
        ValueError: variables outside the RNN not accounted for (listed), an unknown
            variable inside it or a wrong shape (named, with the expected shape).
    """
    found = read_tf1_checkpoint(path, **runtime_options)
    model = _models.build_keras_model(found.spec, steps=runtime_options.get("steps"))
    _models.set_tf1_weights(model, found.spec, found.rnn_variables, found.readout)
    model.tf1_spec = found.spec
    return model


def to_tf1_checkpoint(model, spec, path, *, runner="static_rnn", naming="1.2",
                      readout_names=("readout/weights", "readout/biases"), scope=None):
    """Write ``model``'s weights as the TF1 checkpoint of ``spec``'s TF1 graph.

    Args:
        model: a model of :func:`modern.models.build_keras_model` for ``spec``.
        spec: its :class:`~modern.models.RNNSpec`.
        path: the checkpoint prefix to write (``.../model.ckpt``); an existing
            directory gets ``<path>/model.ckpt``. A ``checkpoint`` file naming it is
            written next to it.
        runner: the TF1 runner the checkpoint is for (``static_rnn``,
            ``dynamic_rnn``, ``static_bidirectional_rnn``,
            ``bidirectional_dynamic_rnn``); it sets the runner scope.
        naming: ``"1.2"`` (``kernel``/``bias``), ``"1.0"`` (``weights``/``biases``) or
            ``"0.x"`` (``RNN/BasicLSTMCell/Linear/Matrix``..., ``BiRNN_FW/``).
        readout_names: the names of the readout's weights and biases when ``spec``
            has a readout (None: leave the readout out).
        scope: the runner scope, if not TF1's default for ``runner`` and ``naming``
            (``rnn``, ``bidirectional_rnn``; TF 0.x ``RNN``, ``BiRNN``).

    Returns:
        The checkpoint prefix written. A ``tf.compat.v1.train.Saver`` over the TF1
        graph's variables (under the same names) restores it.
    """
    naming = _check_naming(naming)
    if runner not in _spec.RUNNERS:
        raise ValueError(f"Unknown runner {runner!r}; expected one of {sorted(_spec.RUNNERS)}.")
    bidirectional = _spec.RUNNERS[runner].bidirectional
    if bidirectional != spec.bidirectional:
        raise ValueError(f"runner={runner!r} is {'bi' if bidirectional else 'uni'}directional "
                         f"but the spec is {'bi' if spec.bidirectional else 'uni'}directional.")
    if scope is None:
        scope = NAMINGS[naming]["scopes"][int(spec.bidirectional)]
    tf1_vars, readout = _models.get_tf1_weights(model, spec)
    values = {tf1_name(f"{scope}/{name}", naming): np.asarray(value)
              for name, value in tf1_vars.items()}
    if readout is not None and readout_names is not None:
        if isinstance(readout_names, str) or len(tuple(readout_names)) != 2:
            raise TypeError("readout_names must be a pair (weights_name, biases_name). "
                            f"Received: {readout_names!r}")
        values.update(dict(zip(readout_names, map(np.asarray, readout))))
    if len(values) != len(tf1_vars) + (2 if readout is not None and readout_names else 0):
        raise ValueError("readout_names collide with the RNN's variable names: "
                         f"{readout_names!r}")
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, "model.ckpt")
    return _save(values, path)


def _save(values, prefix):
    """Write ``{name: array}`` with a TF1 Saver (V2 format) in its own graph and session."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        variables, feed, assigns = {}, {}, []
        for name, value in values.items():
            var = v1.get_variable(name, value.shape, tf.as_dtype(value.dtype),
                                  initializer=v1.zeros_initializer(), use_resource=False)
            placeholder = v1.placeholder(var.dtype.base_dtype, value.shape)
            assigns.append(var.assign(placeholder))
            feed[placeholder] = value
            variables[name] = var
        saver = v1.train.Saver(var_list=variables, write_version=v1.train.SaverDef.V2)
        init = v1.global_variables_initializer()
    with v1.Session(graph=graph) as session:
        session.run(init)
        session.run(assigns, feed_dict=feed)
        return saver.save(session, prefix, write_meta_graph=False)
