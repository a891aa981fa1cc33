"""Every threshold of the proof, each with its reason, and the training settings of the checks.

Nothing here imports TensorFlow or Keras, so the command line can read it cheaply.

Equivalence of a TF1 graph and its Keras 3 port (float32, max |difference|):

* :class:`Tolerance` -- the registry's per-check thresholds on small random weights
  (``Uniform(-0.5, 0.5)``, :data:`RANDOM_WEIGHT_SCALE`), used by ``tests/proof/test_pairs.py``,
  :func:`tools.testing.assert_spec_equivalent` and, for outputs, the default ``atol`` of
  :func:`tools.testing.assert_equivalent`;
* :data:`REAL_SIZE_FORWARD` -- the same forward check on a real-size model or trained
  weights (``rnn-migrate convert``'s verification of a checkpoint, ``rnn-migrate demo``'s
  check before training).

legacy_compat against TF1's original code (the tf-keras oracle):

* :data:`ORACLE` -- per dtype; both sides run the same TF ops in the same order.
"""
import dataclasses

__all__ = ["Tolerance", "REAL_SIZE_FORWARD", "ORACLE", "TRAINING_LEARNING_RATES",
           "TRAINING_STEPS", "RANDOM_WEIGHT_SCALE"]


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """Max |difference| allowed, float32, per check.

    * ``outputs`` 1e-6: both sides compute the same float32 operations; only their
      order differs (fused Keras kernels vs TF1's concat+matmul, different reduction
      order), a few ulps of values that are O(1).
    * ``gradients`` 1e-5: the backward pass sums over time steps and batch, so the
      rounding differences of the forward pass accumulate over T*B terms.
    * ``training`` 1e-4 after 50 optimizer steps: each step's rounding difference
      feeds the next step's weights; measured trajectories differ by 1e-7..3e-5.
    """

    outputs: float = 1e-6
    gradients: float = 1e-5
    training: float = 1e-4


# Forward equivalence on a real-size model or trained weights: Tolerance.outputs measures
# <= 1e-6 on small random weights; a real checkpoint has trained weights of larger
# magnitude, unbounded cell states and logits, and the demo's model is 128 units wide, so
# 10x that margin is allowed (still ~80 float32 ulps of an O(1) value). Every mapping error
# it guards against (gate order, a missing forget bias, a swapped kernel half, GRU
# reset_after) produces differences of order 1e-2..1, three orders of magnitude above it.
REAL_SIZE_FORWARD = 1e-5

# legacy_compat vs TF1's original cells, per dtype name: the same TF ops in the same order,
# so float32 differs by at most a few ulps of O(1) values (static vs dynamic runners sum
# in another order) and float64 by ~1e4 ulps less.
ORACLE = {"float32": 1e-6, "float64": 1e-12}

# The training check: optimizer -> learning rate, large enough that 50 steps move the
# weights far from their start (so a wrong gradient or optimizer default shows), small
# enough that neither side diverges on the random problem.
TRAINING_LEARNING_RATES = {"sgd": 0.5, "adam": 0.01}
TRAINING_STEPS = 50

# Random weights of the checks: Uniform(-scale, scale), biases included (non-zero biases
# exercise the bias maps; small enough that tanh/sigmoid stay out of saturation).
RANDOM_WEIGHT_SCALE = 0.5
