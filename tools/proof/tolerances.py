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

# TF1 graph <-> PyTorch (modern.torch), float32, max |difference|, per check:
# * outputs 1e-6: nn.LSTM / nn.RNN and modern.torch.cells compute the same float32
#   operations as TF1; only their order differs (torch's x @ W_ih^T + b_ih + h @ W_hh^T
#   + b_hh vs TF1's [x, h] @ kernel + bias, the forget_bias folded into the bias rounded
#   once), a few ulps of O(1) values per step; measured <= 2.4e-7 (largest:
#   LayerNormBasicLSTMCell, whose normalisation divides by a small standard deviation).
# * gradients 1e-5 and training 1e-4 (SGD, TRAINING_STEPS steps): as Tolerance's, for the
#   same reasons (rounding summed over T * B terms; fed back into the next step's weights);
#   measured <= 7.2e-7 and <= 2.4e-7 on the registry's configurations, except
#   LayerNormBasicLSTMCell's gradients (limitation torch-layer-norm-gradients, ~5e-5).
TORCH = Tolerance(outputs=1e-6, gradients=1e-5, training=1e-4)
# (`rnn-migrate convert --to torch` verifies a checkpoint at REAL_SIZE_FORWARD, as for Keras.)
__all__ += ["TORCH"]

# --- TF1 optimizers, clipping and schedules (tools/proof/pairs/optimizers.py) --------------
# Each case runs OPTIMIZER_STEPS steps of tf.compat.v1.train.* (the oracle) and of the Keras
# optimizer of modern.optimizers' table from the same float32 least-squares start (W [4, 3],
# b [3], O(1) values, gradients O(1)) and compares every step's parameters.
OPTIMIZER_STEPS = 20
# max |difference| of the parameter trajectory, per case (measured over seeds 0-7). Both
# sides run the same update formula in float32; what differs is the rounding of the
# operation order, fed back through 20 steps:
_SAME_FORMULA = 1e-6  # GD, Momentum, Adagrad, RMSProp, Adadelta, clipping, schedules: a few
#   float32 ulps of O(1) parameters (measured max 1.5e-7: Momentum, clip_by_norm).
# Adam: TF1 keeps beta2_power as a float32 variable multiplied by beta2 each step, Keras
# computes pow(beta2, t); the two differ by an ulp, which 1 - beta2^t (~1e-3) turns into a
# relative difference of sqrt(1 - beta2^t) of up to 1e-5 (measured for t = 1..20), so
# the bias-corrected step size differs by ~1e-5 * lr per step, fed back through Adam's
# normalised steps (measured max 5.3e-6 after 20 steps, lr 0.05: clip_by_value + Adam;
# Adam alone 4.9e-6, piecewise_constant + Adam 2.2e-6).
# This margin does NOT see Keras' default epsilon 1e-7 with O(1) gradients (measured 2.8e-5
# from TF1's, near it); with gradients ~1e-6 it moves the trajectory by 0.44
# (tools.proof.limitations.KERAS_DEFAULT_EPSILON), which is why the table sets epsilon.
_ADAM = 2e-5
OPTIMIZER_TRAJECTORY = {
    "GradientDescentOptimizer": _SAME_FORMULA, "MomentumOptimizer": _SAME_FORMULA,
    "MomentumOptimizer/nesterov": _SAME_FORMULA, "AdamOptimizer": _ADAM,
    "AdagradOptimizer": _SAME_FORMULA, "RMSPropOptimizer": _SAME_FORMULA,
    "RMSPropOptimizer/momentum": _SAME_FORMULA, "RMSPropOptimizer/centered": _SAME_FORMULA,
    "AdadeltaOptimizer": _SAME_FORMULA, "clip_by_global_norm": _SAME_FORMULA,
    "clip_by_norm": _SAME_FORMULA, "clip_by_value": _ADAM, "exponential_decay": _SAME_FORMULA,
    "exponential_decay/staircase": _SAME_FORMULA, "piecewise_constant": _ADAM,
    "assign": _SAME_FORMULA,
}
# The learning rate each step used: both sides compute the schedule from the same step
# counter with float32 ops (division, floor, pow, multiply) in another order; measured max
# 1.5e-8 (2 ulps of 0.089, exponential_decay). 6e-8 is 4 ulps of the largest rate (0.2); a
# wrong mapping (an off-by-one step, staircase, decay_steps) moves a rate by >= 1e-3.
LEARNING_RATE_SEQUENCE = 6e-8
__all__ += ["OPTIMIZER_STEPS", "OPTIMIZER_TRAJECTORY", "LEARNING_RATE_SEQUENCE"]

# The proof on every Keras backend (tools.proof.backends, tests/backends/): the Keras side
# computed by Keras on TensorFlow, JAX and PyTorch against TF1 references computed once
# under TF, float32, at the matrix' tiny sizes (B=3, T=4, D=5, 6 units, weights and inputs
# O(1)). Measured max |difference| over the whole matrix (every RNN pipeline pair): outputs
# 2.1e-7 (jax, torch and tf alike), the same outputs from the .keras file 2.1e-7, gradients
# 1.3e-7, SGD losses over 3 steps 2.4e-7 (losses ~1: 2 float32 ulps). What differs between
# backends is only the order of float32 reductions (XLA, ATen and Eigen/oneDNN matmuls sum
# the 11..17 products of a gate in other orders; softmax and mean in other orders), a
# few ulps of O(1) values. 1e-6 (~8 ulps at 1.0, 4x the largest measured) keeps every
# check tight; every mapping error it guards against (gate order, forget bias, a kernel
# half, GRU reset_after, a weight lost in the .keras file) is >= 1e-3.
BACKEND_MATRIX = {"outputs": 1e-6, "keras_file": 1e-6, "gradients": 1e-6, "training/sgd": 1e-6}
__all__ += ["BACKEND_MATRIX"]
