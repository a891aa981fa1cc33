"""contrib's wrappers that add their own variables around a cell (TF 1.15
``tensorflow/contrib/rnn/python/ops/core_rnn_cell.py``; ``tf.nn.rnn_cell`` in TF 0.x):
``OutputProjectionWrapper``, ``InputProjectionWrapper`` and ``EmbeddingWrapper``.

Unlike ``DropoutWrapper``, each of them is a layer with its own variable scope (the
snake-case class name), and the wrapped cell runs INSIDE that scope:
``rnn/output_projection_wrapper/kernel`` and ``.../bias`` next to
``rnn/output_projection_wrapper/basic_lstm_cell/kernel``. As in TF1, the variables are
created by the first call (the projection after the inner cell has run, the input
projection and the embedding before it), with TF 1.2+ names (``kernel``/``bias``).
"""
import math

import tensorflow as tf

from legacy_compat._cells.base import _BIAS_VARIABLE_NAME, _WEIGHTS_VARIABLE_NAME, RNNCell
from legacy_compat._cells.base import assert_like_rnncell
from legacy_compat._tf1_layer import check_options, static_dim

_v1 = tf.compat.v1


def _positive_int(owner, name, value):
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"{owner}: parameter {name} must be an integer > 0; received {value!r}.")
    return value


class _LayerWrapper(RNNCell):
    """A wrapper that is a layer of its own (scope ``<snake case class name>``) and creates
    its variables in ``call``, in the current scope, the first time (TF1's ``_Linear``)."""

    def __init__(self, cell, reuse=None):
        super().__init__(_reuse=reuse)
        assert_like_rnncell("cell", cell)
        self._cell = cell

    @property
    def wrapped_cell(self):
        return self._cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        with tf.name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)

    def _forget_built_state(self):
        """Drop the variables of the first call (a copy gets its own: MultiRNNCell)."""
        self._linear_variables = {}
        if hasattr(self, "_embedding"):
            self._embedding = None

    def _new_variable(self, name, shape, dtype=None, initializer=None):
        """``get_variable`` in the current scope (the layer's, reuse as TF1 set it), tracked."""
        variable = _v1.get_variable(name, shape, dtype=dtype, initializer=initializer)
        trainable = any(variable is v for v in _v1.trainable_variables())
        target = self._trainable_weights if trainable else self._non_trainable_weights
        if all(variable is not v for v in target):
            target.append(variable)
        return variable

    def _linear(self, args, output_size):
        """TF1's ``_Linear(args, output_size, build_bias=True)``: ``kernel`` [sum of the
        args' depths, output_size] (the scope's initializer) and ``bias`` (zeros), created
        on the first call in the current scope; returns ``concat(args) @ kernel + bias``."""
        args = list(args)
        depths = []
        for arg in args:
            shape = arg.shape
            if shape.rank != 2 or static_dim(shape[1]) is None:
                raise ValueError(
                    f"{type(self).__name__}: a linear map expects 2-D arguments [batch_size, "
                    f"depth] with a known depth; received shape {shape}."
                )
            depths.append(static_dim(shape[1]))
        dtype = args[0].dtype
        cache = self.__dict__.setdefault("_linear_variables", {})
        scope_name = _v1.get_variable_scope().name
        if scope_name not in cache:
            kernel = self._new_variable(_WEIGHTS_VARIABLE_NAME, [sum(depths), output_size], dtype)
            bias = self._new_variable(_BIAS_VARIABLE_NAME, [output_size], dtype,
                                      _v1.constant_initializer(0.0, dtype=dtype))
            cache[scope_name] = (kernel, bias)
        kernel, bias = cache[scope_name]
        value = args[0] if len(args) == 1 else tf.concat(args, 1)
        return tf.nn.bias_add(tf.matmul(value, kernel), bias)

    def _with_wrapped(self, own, attribute):
        """Own and the wrapped cell's variables, in creation order (TF1 tracked both)."""
        weights = list(own)
        weights += [w for w in getattr(self._cell, attribute, [])
                    if all(w is not x for x in weights)]
        if self._graph is None:
            return weights
        order = {id(v): i for i, v in enumerate(
            self._graph.get_collection(_v1.GraphKeys.GLOBAL_VARIABLES))}
        return sorted(weights, key=lambda w: order.get(id(w), len(order)))

    @property
    def trainable_weights(self):
        return self._with_wrapped(super().trainable_weights, "trainable_weights")

    @property
    def non_trainable_weights(self):
        return self._with_wrapped(super().non_trainable_weights, "non_trainable_weights")


class OutputProjectionWrapper(_LayerWrapper):
    """``(act(cell_output @ kernel + bias), cell_state)``: a linear map of the cell's
    output to ``output_size``.

    Variables: ``output_projection_wrapper/kernel`` [cell.output_size, output_size] and
    ``.../bias`` [output_size] (zeros), created after the inner cell's
    (``output_projection_wrapper/<cell scope>/...``).
    """

    def __init__(self, cell, output_size, activation=None, reuse=None, **kwargs):
        check_options("OutputProjectionWrapper", OutputProjectionWrapper.__init__, kwargs)
        super().__init__(cell, reuse=reuse)
        self._output_size = _positive_int("OutputProjectionWrapper", "output_size", output_size)
        self._activation = activation

    @property
    def output_size(self):
        return self._output_size

    def call(self, inputs, state):
        output, res_state = self._cell(inputs, state)
        projected = self._linear([output], self._output_size)
        if self._activation:
            projected = self._activation(projected)
        return projected, res_state


class InputProjectionWrapper(_LayerWrapper):
    """``cell(act(inputs @ kernel + bias), state)``: a linear map of the inputs to
    ``num_proj`` before the cell.

    Variables: ``input_projection_wrapper/kernel`` [input_size, num_proj] and ``.../bias``
    [num_proj] (zeros), then the inner cell's (``input_projection_wrapper/<cell
    scope>/...``, its input depth ``num_proj``). ``input_size`` is deprecated and unused,
    as in TF1.
    """

    def __init__(self, cell, num_proj, activation=None, input_size=None, reuse=None, **kwargs):
        check_options("InputProjectionWrapper", InputProjectionWrapper.__init__, kwargs)
        super().__init__(cell, reuse=reuse)
        del input_size  # deprecated and unused in TF1 too
        self._num_proj = _positive_int("InputProjectionWrapper", "num_proj", num_proj)
        self._activation = activation

    def call(self, inputs, state):
        projected = self._linear([inputs], self._num_proj)
        if self._activation:
            projected = self._activation(projected)
        return self._cell(projected, state)


class EmbeddingWrapper(_LayerWrapper):
    """``cell(embedding[ids], state)``: the inputs are integer ids, looked up in an
    ``[embedding_classes, embedding_size]`` matrix before the cell.

    Variable: ``embedding_wrapper/embedding`` (on ``/cpu:0`` as in TF1; initializer: the
    given one, else the scope's, else ``Uniform(-sqrt(3), sqrt(3))``, variance 1; dtype:
    the state's), then the inner cell's (``embedding_wrapper/<cell scope>/...``). The ids
    of one step are ``[batch_size]`` or ``[batch_size, 1]`` int32/int64 (``static_rnn``
    takes the former, ``dynamic_rnn`` needs ``[batch, time, 1]``).
    """

    def __init__(self, cell, embedding_classes, embedding_size, initializer=None, reuse=None,
                 **kwargs):
        check_options("EmbeddingWrapper", EmbeddingWrapper.__init__, kwargs)
        super().__init__(cell, reuse=reuse)
        if embedding_classes <= 0 or embedding_size <= 0:
            raise ValueError(
                "EmbeddingWrapper: both embedding_classes and embedding_size must be > 0; "
                f"received {embedding_classes}, {embedding_size}."
            )
        self._embedding_classes = embedding_classes
        self._embedding_size = embedding_size
        self._initializer = initializer
        self._embedding = None

    def _checked_first_inputs(self, inputs):
        self._check_ids(inputs)
        return tf.nest.map_structure(lambda t: t.shape, inputs)

    def _check_inputs(self, inputs):
        self._check_ids(inputs)

    def _check_ids(self, inputs):
        ids = tf.nest.flatten(inputs)
        if len(ids) != 1:
            raise ValueError(f"EmbeddingWrapper expects one tensor of ids per step; "
                             f"received {inputs}.")
        dtype = tf.as_dtype(ids[0].dtype)
        if not dtype.is_integer:
            raise TypeError(
                "EmbeddingWrapper expects integer ids (int32 or int64) of shape [batch_size] "
                f"or [batch_size, 1]; received dtype {dtype.name}."
            )
        shape = ids[0].shape
        if shape.rank is not None and (shape.rank > 2 or (
                shape.rank == 2 and static_dim(shape[1]) not in (None, 1))):
            raise ValueError(
                "EmbeddingWrapper expects the ids of one step, shape [batch_size] or "
                f"[batch_size, 1]; received shape {shape}."
            )

    def call(self, inputs, state):
        with _v1.device("/cpu:0"):
            if self._embedding is None:
                if self._initializer:
                    initializer = self._initializer
                elif _v1.get_variable_scope().initializer:
                    initializer = _v1.get_variable_scope().initializer
                else:
                    sqrt3 = math.sqrt(3)  # Uniform(-sqrt(3), sqrt(3)) has variance 1
                    initializer = _v1.random_uniform_initializer(-sqrt3, sqrt3)
                data_type = tf.nest.flatten(state)[0].dtype
                self._embedding = self._new_variable(
                    "embedding", [self._embedding_classes, self._embedding_size], data_type,
                    initializer)
            embedded = tf.nn.embedding_lookup(self._embedding, tf.reshape(inputs, [-1]))
            return self._cell(embedded, state)
