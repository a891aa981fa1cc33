"""Drop-in for ``tensorflow.contrib.layers`` (``tf.contrib.layers``): what TF1 RNN programs used.

TF 1.15's functions with their signatures, defaults, variable names and errors, built on
``tf.compat.v1`` ops and :mod:`legacy_compat.layers` (never Keras), laid out as TF1's
``contrib/layers/python/layers/``:

* layers (:mod:`.layers`): ``fully_connected`` (``<scope>/weights``, ``<scope>/biases``,
  default ReLU and Xavier), ``linear``, ``flatten``, ``layer_norm`` (``LayerNorm/beta``,
  ``LayerNorm/gamma``, epsilon 1e-12);
* ``embed_sequence`` (:mod:`.encoders`, ``EmbedSequence/embeddings``);
* initializers (:mod:`.initializers`): ``xavier_initializer``,
  ``xavier_initializer_conv2d``, ``variance_scaling_initializer`` (contrib's signature);
* regularizers (:mod:`.regularizers`): ``l1_regularizer``, ``l2_regularizer``,
  ``sum_regularizer``, ``apply_regularization``;
* ``optimize_loss`` (:mod:`.optimizers`, ``OptimizeLoss/learning_rate``).

They need graph mode: ``import legacy_compat.v1 as tf`` (then ``tf.contrib.layers``), or
``with tf.Graph().as_default():``.
"""
from legacy_compat.contrib.layers.encoders import embed_sequence
from legacy_compat.contrib.layers.initializers import (
    variance_scaling_initializer,
    xavier_initializer,
    xavier_initializer_conv2d,
)
from legacy_compat.contrib.layers.layers import flatten, fully_connected, layer_norm, linear
from legacy_compat.contrib.layers.optimizers import (
    OPTIMIZER_CLS_NAMES,
    OPTIMIZER_SUMMARIES,
    optimize_loss,
)
from legacy_compat.contrib.layers.regularizers import (
    apply_regularization,
    l1_regularizer,
    l2_regularizer,
    sum_regularizer,
)

__all__ = [
    "fully_connected",
    "linear",
    "flatten",
    "layer_norm",
    "embed_sequence",
    "xavier_initializer",
    "xavier_initializer_conv2d",
    "variance_scaling_initializer",
    "l1_regularizer",
    "l2_regularizer",
    "sum_regularizer",
    "apply_regularization",
    "optimize_loss",
    "OPTIMIZER_CLS_NAMES",
    "OPTIMIZER_SUMMARIES",
]
