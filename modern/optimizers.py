"""TF1 training setups in Keras 3: optimizers, gradient clipping and learning-rate schedules.

THE TABLE THE PORTER READS. Three dicts, keyed by the TF1 name (the class or function
name, shared by the ``tf.train.X`` and ``tf.compat.v1.train.X`` spellings):

* :data:`OPTIMIZERS`: ``"AdamOptimizer"`` -> the Keras optimizer that reproduces it;
* :data:`CLIPPING`: ``"clip_by_global_norm"`` -> the Keras optimizer argument
  (``global_clipnorm``) that reproduces ``clip(grads)`` followed by ``apply_gradients``;
* :data:`SCHEDULES`: ``"exponential_decay"`` -> the ``keras.optimizers.schedules`` class;
  ``"assign"`` -> setting ``optimizer.learning_rate`` (``tf.assign(lr_var, v)`` per epoch).

How the porter uses an entry (a :class:`Target`)::

    target = lookup("tf.compat.v1.train.AdamOptimizer")    # any spelling, or the bare name
    target.keras                                            # "keras.optimizers.Adam"
    target.keras_kwargs(0.01)                               # TF1's (args, kwargs) ->
        # {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-08}
    target.build(0.01)                                      # the Keras object itself
    CLIPPING["clip_by_global_norm"].keras_kwargs(grads, 5.0)   # {"global_clipnorm": 5.0}

``keras_kwargs`` binds the TF1 call's positional and keyword arguments to TF1's own
signature (:attr:`Target.signature`, TF1's defaults applied), renames them to Keras'
(:attr:`Target.renames`), adds the :attr:`Target.fixed` values and returns EVERY Keras
argument that matters, so no Keras default (which often differs: Adam's epsilon 1e-7 vs
TF1's 1e-8) ever applies. Arguments with no Keras meaning (``use_locking``, ``name``) are
dropped; a missing required argument, an unknown one, or a TF1 setting that has no exact
Keras form (an asymmetric ``clip_by_value``, ``clip_by_norm(axes=...)``) raises
:class:`NotPortableError` (a ``ValueError``) naming what is wrong and what was expected.
The arguments are VALUES: a porter that only has source text passes the literal values it
can evaluate (the learning rate may be any expression: it is passed through; the tensors
TF1 clipped and the global step are only checked to be given, any placeholder will do).

Putting a training setup together (what each entry's ``notes`` say in words):

* the clipping kwargs go into the optimizer's constructor: ``Adam(**opt_kwargs,
  **clip_kwargs)`` (Keras accepts at most one of clipnorm / clipvalue / global_clipnorm,
  and clips ALL gradients: TF1 code clipping only some variables is not covered);
* a schedule object becomes the optimizer's ``learning_rate``; TF1's ``global_step``
  (incremented by ``apply_gradients(..., global_step=...)``) is Keras' ``iterations``
  (both start at 0 and both use the value before the step's increment);
* ``sess.run(tf.assign(lr, v))`` becomes ``optimizer.learning_rate = v``.

Every entry is proven against TF1's own optimizer code (``tf.compat.v1.train.*``) by the
migration pairs of :mod:`tools.proof.pairs.optimizers`, which read this table.

The Keras optimizer this package adds (registered for ``.keras`` files under the package
name ``"modern"``; backend-neutral, written with ``keras.ops``):

* :class:`TF1RMSprop`: TF1's ``RMSPropOptimizer``. ``keras.optimizers.RMSprop`` starts its
  mean square at 0 where TF1 starts it at 1.0, so its first step is
  ``lr * sign(g) / sqrt(1 - rho)`` whatever the gradient's size, TF1's
  ``lr * g / sqrt(rho + (1 - rho) * g**2 + epsilon)``; no Keras setting changes that.
* :class:`TF1Adam`, :class:`TF1Adagrad` (a :class:`Target`'s ``sparse`` class, for models
  with an ``Embedding``): Keras' Adam / Adagrad with TF1's settings whose gradients are
  made dense first (:func:`summed_rows`). On the TF backend an embedding's gradient is
  ``tf.IndexedSlices``, one slice per looked-up id; Keras squares each slice, TF1 sums a
  repeated id's slices and squares the sum.
"""
import dataclasses
import importlib
import inspect
import numbers
from types import MappingProxyType
from typing import Callable, Mapping, Optional, Tuple

import keras
from keras import ops

__all__ = ["TF1RMSprop", "TF1Adam", "TF1Adagrad", "summed_rows", "Target", "NotPortableError",
           "REQUIRED", "OPTIMIZERS", "CLIPPING", "SCHEDULES", "LAZY_SPARSE_NOTE", "lookup"]


# ------------------------------------------------------------------------------------
# the Keras optimizer TF1 needs and Keras lacks
# ------------------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="modern")
class TF1RMSprop(keras.optimizers.Optimizer):
    """TF1's ``tf.compat.v1.train.RMSPropOptimizer`` as a Keras 3 optimizer.

    Per variable, with TF1's slots ``ms`` (started at ONE), ``mom`` and, when
    ``centered``, ``mg`` (both started at 0), in the order of TF1's ``ApplyRMSProp`` /
    ``ApplyCenteredRMSProp`` kernels::

        ms  += (g**2 - ms) * (1 - rho)
        mg  += (g - mg) * (1 - rho)                       # centered only
        den  = ms + epsilon        or  ms - mg**2 + epsilon  (centered)
        mom  = mom * momentum + lr * g / sqrt(den)        # epsilon INSIDE the sqrt
        var -= mom

    Args (TF1's names in brackets, TF1's defaults):
        learning_rate: float, schedule or callable [learning_rate, required in TF1].
        rho: float in [0, 1] [decay=0.9].
        momentum: float >= 0 [momentum=0.0].
        epsilon: float >= 0 [epsilon=1e-10].
        centered: bool [centered=False].
        **kwargs: keras.optimizers.Optimizer's (clipnorm, global_clipnorm, ...).
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-10,
                 centered=False, name="TF1RMSprop", **kwargs):
        for arg, value, low, high in (("rho", rho, 0.0, 1.0), ("momentum", momentum, 0.0, None),
                                      ("epsilon", epsilon, 0.0, None)):
            if not isinstance(value, numbers.Real) or value < low or (high is not None
                                                                      and value > high):
                expected = f"in [{low}, {high}]" if high is not None else f">= {low}"
                raise ValueError(f"TF1RMSprop: invalid {arg}={value!r}; expected a float "
                                 f"{expected}")
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = float(rho)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.centered = bool(centered)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._ms = self.add_optimizer_variables(var_list, "ms", initializer="ones")
        self._moms = self.add_optimizer_variables(var_list, "momentum")
        self._mgs = (self.add_optimizer_variables(var_list, "mg") if self.centered else [])

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(summed_rows(gradient, variable), dtype)  # TF1 sums repeats first
        index = self._get_variable_index(variable)
        ms, mom = self._ms[index], self._moms[index]
        # 1 - rho in the variable's dtype, as TF1's kernel computes it (not in float64)
        one_minus_rho = ops.subtract(ops.cast(1.0, dtype), ops.cast(self.rho, dtype))
        epsilon = ops.cast(self.epsilon, dtype)
        self.assign_add(ms, ops.multiply(ops.subtract(ops.square(gradient), ms), one_minus_rho))
        if self.centered:
            mg = self._mgs[index]
            self.assign_add(mg, ops.multiply(ops.subtract(gradient, mg), one_minus_rho))
            denominator = ops.add(ops.subtract(ms, ops.square(mg)), epsilon)
        else:
            denominator = ops.add(ms, epsilon)
        self.assign(mom, ops.add(ops.multiply(mom, ops.cast(self.momentum, dtype)),
                                 ops.divide(ops.multiply(gradient, lr), ops.sqrt(denominator))))
        self.assign_sub(variable, mom)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config


def summed_rows(gradient, variable):
    """A gradient as one dense tensor: an embedding's gradient on the TensorFlow backend
    (``tf.IndexedSlices``, one slice per looked-up id, a repeated id repeated) with its
    repeated rows summed, as TF1's optimizers summed them
    (``_deduplicate_indexed_slices``) before any update; other gradients unchanged."""
    if hasattr(gradient, "indices") and hasattr(gradient, "dense_shape"):
        # zeros + slices: keras.ops adds a sparse operand densely, each row's slices
        # summed (adding to 0.0 is exact); convert_to_tensor would keep the slices
        return ops.add(ops.zeros(variable.shape, gradient.dtype), gradient)
    return gradient


class _SummedRows:
    """A Keras optimizer whose gradients are made dense first (:func:`summed_rows`)."""

    def update_step(self, gradient, variable, learning_rate):
        super().update_step(summed_rows(gradient, variable), variable, learning_rate)


@keras.saving.register_keras_serializable(package="modern")
class TF1Adam(_SummedRows, keras.optimizers.Adam):
    """TF1's ``tf.compat.v1.train.AdamOptimizer`` where a gradient may be sparse (a model
    with an ``Embedding``): ``keras.optimizers.Adam`` with TF1's epsilon (1e-8) whose
    gradients are first made dense (:func:`summed_rows`).

    Keras' Adam squares a ``tf.IndexedSlices`` gradient slice by slice, so an id looked up
    k times adds the sum of its k squared slices to ``v``; TF1 first sums the k slices
    and adds the square of the sum (limitation keras-sparse-gradient-squares). On the
    JAX and torch backends the gradient is already dense: the same as ``Adam``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 name="TF1Adam", **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, name=name, **kwargs)


@keras.saving.register_keras_serializable(package="modern")
class TF1Adagrad(_SummedRows, keras.optimizers.Adagrad):
    """TF1's ``tf.compat.v1.train.AdagradOptimizer`` where a gradient may be sparse (a
    model with an ``Embedding``): ``keras.optimizers.Adagrad`` with TF1's epsilon (none:
    0.0) whose gradients are first made dense (:func:`summed_rows`): TF1 adds the square
    of a repeated id's summed slices to its accumulator, Keras' Adagrad the sum of their
    squares (limitation keras-sparse-gradient-squares)."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=0.0,
                 name="TF1Adagrad", **kwargs):
        super().__init__(learning_rate=learning_rate,
                         initial_accumulator_value=initial_accumulator_value,
                         epsilon=epsilon, name=name, **kwargs)


# ------------------------------------------------------------------------------------
# the table
# ------------------------------------------------------------------------------------
class NotPortableError(ValueError):
    """A TF1 call with no exact Keras form (or not a valid TF1 call at all)."""


class _Required:
    def __repr__(self):
        return "REQUIRED"


#: marks a TF1 argument without a default in :attr:`Target.signature`
REQUIRED = _Required()


@dataclasses.dataclass(frozen=True)
class Target:
    """One TF1 construct and the Keras construct that reproduces it."""

    tf1: str  # TF1's qualified name, e.g. "tf.compat.v1.train.AdamOptimizer"
    keras: str  # the Keras class (qualified) or, for "assign", the statement
    # TF1's parameters in TF1's positional order with TF1's defaults (REQUIRED: none)
    signature: Tuple[Tuple[str, object], ...]
    renames: Mapping[str, str]  # TF1 parameter -> Keras argument (others are dropped)
    reasons: Mapping[str, str]  # Keras argument -> why it must be set as mapped
    fixed: Mapping[str, object] = dataclasses.field(default_factory=dict)  # always set so
    # a TF1 call's checked arguments -> None or raises NotPortableError
    check: Optional[Callable[[dict], None]] = None
    notes: Tuple[str, ...] = ()  # what else the port must do, in words
    spellings: Tuple[str, ...] = ()  # every TF1 spelling (tf.train.X, tf.compat.v1.train.X)
    # the Keras class for a model with sparse gradients (an Embedding: tf.IndexedSlices on
    # the TF backend), where ``keras`` would update them otherwise than TF1, and why
    sparse: Optional[Tuple[str, str]] = None

    @property
    def name(self):
        return self.tf1.rsplit(".", 1)[1]

    def tf1_call(self):
        """TF1's signature as text, for messages."""
        args = (n if d is REQUIRED else f"{n}={d!r}" for n, d in self.signature)
        return f"{self.name}({', '.join(args)})"

    def bind(self, *args, **kwargs):
        """TF1's arguments by name, TF1's defaults applied (raises on a bad call)."""
        signature = inspect.Signature([inspect.Parameter(
            n, inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=inspect.Parameter.empty if d is REQUIRED else d) for n, d in self.signature])
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise NotPortableError(f"{self.tf1}: {exc}; TF1's signature: {self.tf1_call()}") \
                from None
        bound.apply_defaults()
        bound = dict(bound.arguments)
        if self.check is not None:
            self.check(bound)
        return bound

    def keras_kwargs(self, *args, **kwargs):
        """The Keras constructor arguments of the TF1 call ``tf1(*args, **kwargs)``."""
        bound = self.bind(*args, **kwargs)
        result = {keras_name: bound[tf1_name] for tf1_name, keras_name in self.renames.items()}
        result.update(self.fixed)
        return result

    def keras_for(self, sparse=False):
        """The qualified Keras class for a model with (``sparse``) or without an
        embedding's sparse gradients."""
        return self.sparse[0] if sparse and self.sparse is not None else self.keras

    def keras_class(self, sparse=False):
        """The Keras class (``keras.optimizers.Adam``, ``modern.optimizers.TF1RMSprop``)."""
        module, _, name = self.keras_for(sparse).rpartition(".")
        return getattr(importlib.import_module(module), name)

    def build(self, *args, **kwargs):
        """The Keras object of the TF1 call ``tf1(*args, **kwargs)``."""
        return self.keras_class()(**self.keras_kwargs(*args, **kwargs))

    @property
    def settings(self):
        """The Keras arguments that must be set because Keras' default is not TF1's (at
        TF1's defaults; required TF1 arguments have no default and are not listed)."""
        defaults = {n: d for n, d in self.signature if d is not REQUIRED}
        mapped = {k: defaults[t] for t, k in self.renames.items() if t in defaults}
        mapped.update(self.fixed)
        try:
            keras_defaults = inspect.signature(self.keras_class()).parameters
        except (ImportError, AttributeError, ValueError):
            return mapped  # not a class ("assign"): every mapped value
        return {k: v for k, v in mapped.items()
                if k not in keras_defaults or keras_defaults[k].default != v}

    def rename_notes(self):
        """``TF1 name -> Keras name`` for the parameters Keras spells differently."""
        return tuple(f"TF1 {t} -> Keras {k}" for t, k in self.renames.items() if t != k)


def _spellings(name, *prefixes):
    return tuple(f"{prefix}.{name}" for prefix in prefixes)


_TRAIN = ("tf.train", "tf.compat.v1.train")
_LOCKING = ("use_locking", False)
_LR_REASON = "TF1's learning_rate (required, or TF1's default); Keras' default is 0.01/0.001"
#: the note of the optimizers whose TF1 sparse update Keras has no form of
LAZY_SPARSE_NOTE = ("on an embedding's sparse gradient TF1 updates only the looked-up rows "
                    "(limitation tf1-sparse-updates-are-lazy)")


def _optimizer(cls, keras, signature, renames, reasons, fixed=None, check=None, notes=(),
               sparse=None):
    reasons = dict({"learning_rate": _LR_REASON}, **reasons)
    return Target(tf1=f"tf.compat.v1.train.{cls}", keras=keras, signature=tuple(signature),
                  renames=MappingProxyType(dict(renames)), reasons=MappingProxyType(reasons),
                  fixed=MappingProxyType(dict(fixed or {})), check=check,
                  notes=tuple(notes) + ("use_locking and name are dropped (no Keras "
                                        "meaning; Keras names its own slots)",),
                  spellings=_spellings(cls, *_TRAIN), sparse=sparse)


def _check_adagrad(bound):
    value = bound["initial_accumulator_value"]
    if isinstance(value, numbers.Real) and value <= 0.0:
        raise NotPortableError(f"AdagradOptimizer: initial_accumulator_value must be "
                               f"positive: {value} (TF1 raised ValueError too)")


def _check_momentum_nesterov(bound):
    if not isinstance(bound["use_nesterov"], bool):
        raise NotPortableError(f"MomentumOptimizer: use_nesterov must be a bool, got "
                               f"{bound['use_nesterov']!r}")


OPTIMIZERS = MappingProxyType({
    "GradientDescentOptimizer": _optimizer(
        "GradientDescentOptimizer", "keras.optimizers.SGD",
        [("learning_rate", REQUIRED), _LOCKING, ("name", "GradientDescent")],
        {"learning_rate": "learning_rate"}, {}),
    "MomentumOptimizer": _optimizer(
        "MomentumOptimizer", "keras.optimizers.SGD",
        [("learning_rate", REQUIRED), ("momentum", REQUIRED), _LOCKING, ("name", "Momentum"),
         ("use_nesterov", False)],
        {"learning_rate": "learning_rate", "momentum": "momentum", "use_nesterov": "nesterov"},
        {"momentum": "TF1's momentum (required in TF1; Keras' default 0.0 is plain SGD)",
         "nesterov": "TF1's use_nesterov"},
        check=_check_momentum_nesterov,
        notes=("Keras keeps v = m*v - lr*g, TF1 a = m*a + g and var -= lr*a: equal while "
               "the learning rate is constant; with a schedule or an assigned learning rate "
               "they differ (limitation momentum-varying-learning-rate)",
               LAZY_SPARSE_NOTE)),
    "AdamOptimizer": _optimizer(
        "AdamOptimizer", "keras.optimizers.Adam",
        [("learning_rate", 0.001), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8),
         _LOCKING, ("name", "Adam"), ("use_own_namescope_for_non_slot_vars", False)],
        {"learning_rate": "learning_rate", "beta1": "beta_1", "beta2": "beta_2",
         "epsilon": "epsilon"},
        {"epsilon": "TF1's default epsilon is 1e-8, Keras' 1e-7 (both add it to sqrt(v) with "
                    "the bias correction folded into the step size)",
         "beta_1": "TF1's beta1", "beta_2": "TF1's beta2"},
        sparse=("modern.optimizers.TF1Adam",
                "an embedding's gradient (tf.IndexedSlices on the TF backend): Keras' Adam "
                "squares each looked-up id's slice, TF1 the sum of a repeated id's slices "
                "(limitation keras-sparse-gradient-squares)")),
    "AdagradOptimizer": _optimizer(
        "AdagradOptimizer", "keras.optimizers.Adagrad",
        [("learning_rate", REQUIRED), ("initial_accumulator_value", 0.1), _LOCKING,
         ("name", "Adagrad")],
        {"learning_rate": "learning_rate",
         "initial_accumulator_value": "initial_accumulator_value"},
        {"initial_accumulator_value": "TF1's initial_accumulator_value (both default to 0.1)",
         "epsilon": "TF1's Adagrad adds no epsilon: var -= lr * g / sqrt(accum); Keras "
                    "adds 1e-7 inside the sqrt by default"},
        fixed={"epsilon": 0.0}, check=_check_adagrad,
        sparse=("modern.optimizers.TF1Adagrad",
                "an embedding's gradient (tf.IndexedSlices on the TF backend): Keras' "
                "Adagrad adds the squares of a repeated id's slices, TF1 the square of their "
                "sum (limitation keras-sparse-gradient-squares)")),
    "RMSPropOptimizer": _optimizer(
        "RMSPropOptimizer", "modern.optimizers.TF1RMSprop",
        [("learning_rate", REQUIRED), ("decay", 0.9), ("momentum", 0.0), ("epsilon", 1e-10),
         _LOCKING, ("centered", False), ("name", "RMSProp")],
        {"learning_rate": "learning_rate", "decay": "rho", "momentum": "momentum",
         "epsilon": "epsilon", "centered": "centered"},
        {"rho": "TF1's decay", "momentum": "TF1's momentum", "epsilon": "TF1's epsilon "
         "(default 1e-10; Keras' RMSprop 1e-7)", "centered": "TF1's centered"},
        notes=("keras.optimizers.RMSprop starts its mean square at 0, TF1 at 1.0: no "
               "setting fixes that (limitation keras-rmsprop-initial-mean-square), hence "
               "modern.optimizers.TF1RMSprop; import modern.optimizers before "
               "keras.saving.load_model",
               LAZY_SPARSE_NOTE)),
    "AdadeltaOptimizer": _optimizer(
        "AdadeltaOptimizer", "keras.optimizers.Adadelta",
        [("learning_rate", 0.001), ("rho", 0.95), ("epsilon", 1e-8), _LOCKING,
         ("name", "Adadelta")],
        {"learning_rate": "learning_rate", "rho": "rho", "epsilon": "epsilon"},
        {"rho": "TF1's rho", "epsilon": "TF1's default epsilon is 1e-8, Keras' 1e-7"}),
})


def _number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_clip_by_value(bound):
    low, high = bound["clip_value_min"], bound["clip_value_max"]
    if not (_number(low) and _number(high)):
        raise NotPortableError(f"clip_by_value: clip_value_min={low!r}, clip_value_max={high!r}:"
                               f" expected two numbers (to check that the range is symmetric)")
    if low != -high or high <= 0:
        raise NotPortableError(
            f"clip_by_value: the range [{low}, {high}] is not symmetric; Keras' clipvalue=c "
            f"clips to [-c, c] only, expected clip_value_min == -clip_value_max < 0 "
            f"(limitation clip-by-value-asymmetric)")


def _check_clip_by_norm(bound):
    if bound["axes"] is not None:
        raise NotPortableError(f"clip_by_norm: axes={bound['axes']!r}; Keras' clipnorm clips "
                               f"each gradient by its whole norm, expected axes=None")


def _check_clip_by_global_norm(bound):
    if bound["use_norm"] is not None:
        raise NotPortableError("clip_by_global_norm: use_norm is given; Keras' global_clipnorm "
                               "computes the global norm itself, expected use_norm=None")


_CLIP_NOTES = ("TF1: grads = clip(tf.gradients(loss, tvars), ...); "
               "opt.apply_gradients(zip(grads, tvars)); Keras: the optimizer's argument, "
               "applied to every gradient in apply_gradients / fit",
               "Keras accepts only one of clipnorm, clipvalue and global_clipnorm")


def _clip(name, keras_arg, signature, renames, reason, check):
    return Target(tf1=f"tf.{name}", keras=keras_arg, signature=tuple(signature),
                  renames=MappingProxyType(renames), reasons=MappingProxyType({keras_arg: reason}),
                  check=check, notes=_CLIP_NOTES, spellings=_spellings(name, "tf", "tf.compat.v1"))


CLIPPING = MappingProxyType({
    "clip_by_global_norm": _clip(
        "clip_by_global_norm", "global_clipnorm",
        [("t_list", REQUIRED), ("clip_norm", REQUIRED), ("use_norm", None), ("name", None)],
        {"clip_norm": "global_clipnorm"},
        "scales all gradients by clip_norm / max(global_norm, clip_norm), as TF1",
        _check_clip_by_global_norm),
    "clip_by_norm": _clip(
        "clip_by_norm", "clipnorm",
        [("t", REQUIRED), ("clip_norm", REQUIRED), ("axes", None), ("name", None)],
        {"clip_norm": "clipnorm"},
        "clips each gradient tensor by its own L2 norm, as TF1's clip_by_norm per tensor",
        _check_clip_by_norm),
    "clip_by_value": _clip(
        "clip_by_value", "clipvalue",
        [("t", REQUIRED), ("clip_value_min", REQUIRED), ("clip_value_max", REQUIRED),
         ("name", None)],
        {"clip_value_max": "clipvalue"},
        "clips every gradient element to [-clipvalue, clipvalue] (symmetric TF1 ranges only)",
        _check_clip_by_value),
})


def _check_global_step(bound):
    if bound["global_step"] is None:
        raise NotPortableError("exponential_decay: global_step is required (TF1 raised "
                               "ValueError too); expected the step passed to apply_gradients")


def _check_piecewise(bound):
    boundaries, values = bound["boundaries"], bound["values"]
    if len(values) != len(boundaries) + 1:
        raise NotPortableError(f"piecewise_constant: {len(values)} values for "
                               f"{len(boundaries)} boundaries; expected len(boundaries) + 1")


_STEP_NOTE = ("TF1's global_step must be the one apply_gradients/minimize(global_step=...) "
              "increments: Keras' optimizer.iterations, which starts at 0 and, like TF1, "
              "the step uses the value before its increment")


def _schedule(name, keras, signature, renames, reasons, check, notes=()):
    return Target(tf1=f"tf.compat.v1.train.{name}", keras=keras, signature=tuple(signature),
                  renames=MappingProxyType(renames), reasons=MappingProxyType(reasons),
                  check=check, notes=(_STEP_NOTE, "pass the schedule as the optimizer's "
                                      "learning_rate") + tuple(notes),
                  spellings=_spellings(name, *_TRAIN))


SCHEDULES = MappingProxyType({
    "exponential_decay": _schedule(
        "exponential_decay", "keras.optimizers.schedules.ExponentialDecay",
        [("learning_rate", REQUIRED), ("global_step", REQUIRED), ("decay_steps", REQUIRED),
         ("decay_rate", REQUIRED), ("staircase", False), ("name", None)],
        {"learning_rate": "initial_learning_rate", "decay_steps": "decay_steps",
         "decay_rate": "decay_rate", "staircase": "staircase"},
        {"initial_learning_rate": "TF1's learning_rate", "decay_steps": "TF1's decay_steps",
         "decay_rate": "TF1's decay_rate", "staircase": "TF1's staircase (floor of "
         "step / decay_steps)"},
        _check_global_step),
    "piecewise_constant": _schedule(
        "piecewise_constant", "keras.optimizers.schedules.PiecewiseConstantDecay",
        [("x", REQUIRED), ("boundaries", REQUIRED), ("values", REQUIRED), ("name", None)],
        {"boundaries": "boundaries", "values": "values"},
        {"boundaries": "TF1's boundaries (step <= boundaries[0] gives values[0], as TF1)",
         "values": "TF1's values"},
        _check_piecewise,
        notes=("also spelled tf.compat.v1.train.piecewise_constant_decay",)),
    "assign": Target(
        tf1="tf.compat.v1.assign", keras="optimizer.learning_rate = value",
        signature=(("ref", REQUIRED), ("value", REQUIRED), ("validate_shape", None),
                   ("use_locking", None), ("name", None)),
        renames=MappingProxyType({"value": "learning_rate"}),
        reasons=MappingProxyType({"learning_rate": "the value TF1 assigned to the variable "
                                                   "the optimizer reads its learning rate from"}),
        notes=("only when ref is the optimizer's learning-rate variable "
               "(lr = tf.Variable(..., trainable=False); Optimizer(lr)); "
               "sess.run(tf.assign(lr, v)), lr.assign(v) and lr.load(v, sess) become "
               "optimizer.learning_rate = v (before the epoch's first step, as TF1)",
               "the optimizer must be built with a float learning rate, not a schedule"),
        spellings=("tf.assign", "tf.compat.v1.assign")),
})

_ALIASES = {"piecewise_constant_decay": "piecewise_constant"}


def lookup(name):
    """The :class:`Target` of a TF1 spelling: ``"tf.train.AdamOptimizer"``,
    ``"tf.compat.v1.train.AdamOptimizer"``, ``"AdamOptimizer"``, ``"tf.clip_by_norm"``,
    ``"tf.train.exponential_decay"``, ``"tf.assign"``... Raises ``KeyError`` naming the
    known names."""
    short = _ALIASES.get(name.rsplit(".", 1)[-1], name.rsplit(".", 1)[-1])
    for table in (OPTIMIZERS, CLIPPING, SCHEDULES):
        if short in table:
            return table[short]
    known = sorted(set(OPTIMIZERS) | set(CLIPPING) | set(SCHEDULES) | set(_ALIASES))
    raise KeyError(f"no Keras target for the TF1 name {name!r}; known: {known}")
