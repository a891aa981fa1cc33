"""The public testing API: prove that your Keras 3 port computes what your TF1 RNN computed.

* :mod:`tools.testing.assertions`: ``assert_equivalent`` (your TF1 graph function against
  your Keras model), ``assert_spec_equivalent`` (the kit's own checks on an ``RNNSpec``),
  ``weights_from_spec`` and the report types;
* :mod:`tools.testing.training`: ``assert_training_equivalent`` (gradients and the loss
  of a few optimizer steps of your compiled Keras model against your TF1 graph's);
* :mod:`tools.testing.strategies`: hypothesis strategies of cells, pipelines and inputs
  (also importable as ``tools.strategies``);
* :mod:`tools.testing.plugin`: the pytest plugin ``rnn_migrate`` (a ``pytest11`` entry
  point; ``-p tools.testing.plugin`` or ``-p tools.pytest_plugin`` where it is not installed).
"""
from tools.testing import assertions as _assertions
from tools.testing import training as _training
from tools.testing.assertions import *  # noqa: F401,F403
from tools.testing.training import *  # noqa: F401,F403

__all__ = list(_assertions.__all__) + list(_training.__all__)
