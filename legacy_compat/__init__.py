"""legacy_compat: the TensorFlow-1 recurrent-network world on TensorFlow 2.16+ / Keras 3.

Module paths mirror the removed TF1 ones, so porting is mostly an import change:

==========================================================  =============================================
TF1                                                         legacy_compat
==========================================================  =============================================
``import tensorflow as tf`` (TF1 graph-mode namespace)      ``import legacy_compat.v1 as tf``
``tensorflow.contrib.rnn`` / ``tf.contrib.rnn``             ``legacy_compat.contrib.rnn``
``tf.nn.rnn_cell``                                          ``legacy_compat.nn.rnn_cell``
``tensorflow.python.ops.rnn`` / ``rnn_cell``                ``legacy_compat.python.ops.rnn`` / ``rnn_cell``
``tensorflow.models.rnn.rnn`` / ``rnn_cell`` (TF 0.x)       ``legacy_compat.models.rnn.rnn`` / ``rnn_cell``
``tensorflow.examples.tutorials.mnist.input_data``          ``legacy_compat.examples.tutorials.mnist.input_data``
==========================================================  =============================================

Importing this package is cheap and changes nothing global: only
``legacy_compat.v1`` switches the process to TF1 graph mode, as TF1 itself was.
"""

__version__ = "0.1.0"
