"""TF1's ``tf.layers.Layer`` scoping and weight bookkeeping, without Keras.

TF1's RNN cells and its ``tf.layers`` were both ``tf.layers.Layer`` objects; on
TensorFlow 2.16+ that class is gone with Keras 2. :class:`TF1Layer` re-creates the
part both need, with TF1's exact rules:

* the variable scope is captured on the first call with
  ``variable_scope(scope, default_name=<name or snake case class name>)`` (so a
  second layer in the same scope gets ``_1``), or ``variable_scope(name)`` when
  ``reuse`` is set; later calls re-enter it with ``reuse=True``;
* variables come from ``tf.compat.v1.get_variable`` inside that scope (so scope
  initializers, partitioners and reuse work as in TF1), are tracked as trainable
  or not, and a regularizer is called once, when the variable is created;
* a layer belongs to the graph of its first call (the outermost graph when called
  inside a ``tf.cond``/``while_loop`` body); using it in another graph is an error,
  as in TF1.
"""
import contextlib
import inspect
import re

import tensorflow as tf

_v1 = tf.compat.v1


def to_snake_case(name):
    """TF1's layer-name rule: ``BasicLSTMCell`` -> ``basic_lstm_cell``."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    if insecure[0] != "_":
        return insecure
    return "private" + insecure


def check_options(owner, init, kwargs):
    """Reject unknown constructor options with a TypeError naming them (as TF1 did)."""
    if not kwargs:
        return
    accepted = [p for p in inspect.signature(init).parameters if p not in ("self", "kwargs")]
    unknown = ", ".join(repr(k) for k in kwargs)
    raise TypeError(
        f"{owner}() got unexpected keyword argument(s) {unknown}. "
        f"Accepted options: {', '.join(accepted)}."
    )


def static_dim(dim):
    return dim.value if hasattr(dim, "value") else dim


def outermost_graph():
    graph = _v1.get_default_graph()
    # Inside tf.cond/while_loop branches (control flow v2) the default graph is a
    # FuncGraph nested in the user's graph; the layer belongs to the outermost one.
    while getattr(graph, "outer_graph", None) is not None:
        graph = graph.outer_graph
    return graph


class TF1Layer:
    """Scope capture, variable creation and weight tracking of TF1's ``tf.layers.Layer``.

    ``_scope`` captures ``variable_scope(_scope)`` at construction (as TF1's
    functional layers do with ``name``); ``_reuse`` is TF1's ``reuse`` argument.
    """

    def __init__(self, trainable=True, name=None, dtype=None, _reuse=None, _scope=None):
        self.trainable = trainable
        self._reuse = _reuse
        self._name = name
        self._base_name = name or to_snake_case(type(self).__name__)
        self._dtype = tf.as_dtype(dtype) if dtype is not None else None
        self._graph = None
        self._scope = None
        self._current_scope = None
        self.built = False
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._losses = []
        if _scope:
            self._graph = outermost_graph()
            with _v1.variable_scope(_scope) as captured:
                self._scope = captured

    # -- properties ------------------------------------------------------------------
    @property
    def name(self):
        """The ``name`` given, else the last component of the scope once called."""
        if self._name:
            return self._name
        if self._scope is not None:
            return self._scope.name.rpartition("/")[2]
        return self._base_name

    @property
    def dtype(self):
        return self._dtype

    @property
    def graph(self):
        return self._graph

    @property
    def scope_name(self):
        if self._scope is None:
            raise ValueError(
                f"No name available for the scope of {self.name!r}: it is determined "
                "the first time it is called."
            )
        return self._scope.name

    @property
    def trainable_weights(self):
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    @property
    def variables(self):
        return self.weights

    @property
    def losses(self):
        """Regularization losses created by this layer."""
        return list(self._losses)

    @property
    def updates(self):
        return []

    # -- scoping ---------------------------------------------------------------------
    def _ensure_graph(self):
        if tf.executing_eagerly():
            raise RuntimeError(
                f"{type(self).__name__}: TF1 layers and cells need graph mode. Use "
                "`import legacy_compat.v1 as tf` or build inside `with tf.Graph().as_default():`."
            )
        graph = outermost_graph()
        if self._graph is None:
            self._graph = graph
        elif self._graph is not graph:
            raise ValueError(
                f"Input graph and Layer graph are not the same: {self.name!r} was first "
                "used in another tf.Graph. Create a new layer or cell for each graph."
            )

    def _set_scope(self, scope=None):
        if self._scope is None:
            if self._reuse:
                with _v1.variable_scope(
                    scope if scope is not None else self._base_name
                ) as captured:
                    self._scope = captured
            else:
                with _v1.variable_scope(scope, default_name=self._base_name) as captured:
                    self._scope = captured

    @contextlib.contextmanager
    def _layer_scope(self, scope=None):
        """Enter the layer's variable scope (reusing once built) and its name scope."""
        self._set_scope(scope)
        reuse = True if self.built else self._reuse
        with _v1.variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as vs:
            self._current_scope = vs
            with _v1.name_scope(vs.original_name_scope):
                yield vs

    def add_variable(self, name, shape, dtype=None, initializer=None, regularizer=None,
                     trainable=True, constraint=None, partitioner=None):
        """``tf.compat.v1.get_variable`` in the layer's scope, tracked, regularized once."""
        if dtype is None:
            dtype = self._dtype or tf.float32
        existing = {id(v) for v in _v1.global_variables()}
        with self._layer_scope():
            variable = _v1.get_variable(
                name,
                shape=shape,
                dtype=tf.as_dtype(dtype),
                initializer=initializer,
                trainable=trainable and self.trainable,
                constraint=constraint,
                partitioner=partitioner,
            )
            # a PartitionedVariable (scope partitioner) is handled part by part
            parts = [variable] if isinstance(variable, tf.Variable) else list(variable)
            if regularizer and not any(id(part) in existing for part in parts):
                # As tf.get_variable: regularize only a newly created variable.
                for part in parts:
                    with _v1.name_scope(name + "/Regularizer"):
                        loss = regularizer(part)
                    if loss is not None:
                        self._losses.append(loss)
                        collection = _v1.get_collection_ref(
                            _v1.GraphKeys.REGULARIZATION_LOSSES)
                        if all(loss is not known for known in collection):
                            collection.append(loss)
        trainable_ids = {id(v) for v in _v1.trainable_variables()}
        is_trainable = trainable and all(id(part) in trainable_ids for part in parts)
        target = self._trainable_weights if is_trainable else self._non_trainable_weights
        if all(variable is not v for v in target):
            target.append(variable)
        return variable

    add_weight = add_variable
