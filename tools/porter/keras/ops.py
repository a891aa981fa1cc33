"""The TF1 ops the Keras port translates, in one table: TF1 op -> its Keras 3 form.

Each entry of :data:`OPS` (keyed by the op's last name part, the same for ``tf.X``,
``tf.nn.X``, ``tf.layers.X``, ``tf.contrib.layers.X``) says what the op is to the model
(``kind``), where its tensor argument is, and the Keras form the port writes. The
recogniser reads it to follow a tensor back through these ops
(:mod:`tools.porter.keras.recognize.inputs`, :mod:`~tools.porter.keras.recognize.readout`,
:mod:`~tools.porter.keras.recognize.cells`); adding an op is adding an entry here (and,
for a new kind, its lowering in the writer and the proof). The RNN calls are the
registry's (:mod:`modern.spec`), the losses :data:`tools.porter.keras.losses.LOSSES`, the
optimizers :data:`modern.optimizers.OPTIMIZERS`.

Kinds:

* ``"shape"``: the same values in another layout (``reshape``, ``transpose``,
  ``unstack``/``unpack``, ``split``, ``concat``/``stack`` of a static runner's steps):
  the Keras model takes ``[batch, steps, features]`` and its layers keep that layout, so
  nothing is written;
* ``"step"``: one time step of the outputs (``gather`` of the last) -> ``x[:, -1, :]``;
* ``"activation"``: an elementwise function -> the Keras activation of that name (a
  layer's or cell's ``activation=``);
* ``"tokens"``: token ids to vectors: ``embedding_lookup`` -> ``keras.layers.Embedding``
  (the same initial distribution), ``one_hot`` -> ``keras.ops.one_hot``;
* ``"dense"``: a dense layer -> ``keras.layers.Dense`` (``matmul(x, W) + b`` with ``add``
  / ``bias_add``, ``xw_plus_b``, ``tf.layers.dense``, contrib's ``fully_connected`` /
  ``linear``: :class:`Layer` says where its units, kernel, bias and activation are).
"""
import dataclasses
from types import MappingProxyType
from typing import NamedTuple, Optional, Tuple

__all__ = ["Op", "Layer", "OPS", "ACTIVATIONS", "LAYERS", "tensor_of"]


class Layer(NamedTuple):
    """One TF1 spelling of a dense layer: where its input, units, kernel and bias are."""

    input: tuple  # (position, keyword)
    units: Optional[tuple] = None  # layer calls: (position, keyword) of the output size
    kernel: Optional[tuple] = None  # variables: (position, keyword) of W
    bias: Optional[tuple] = None  # variables: (position, keyword) of b
    kernel_initializer: str = "kernel_initializer"
    bias_initializer: str = "bias_initializer"
    activation: Optional[str] = None  # keyword of the activation
    default_activation: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class Op:
    """One TF1 op and its Keras form."""

    kind: str  # "shape", "step", "activation", "tokens", "dense"
    tensor: Optional[Tuple[int, str]]  # (position, keyword) of its tensor argument
    keras: str  # what the port writes (nothing for a "shape" op)
    layer: Optional[Layer] = None  # a dense layer call: where its parts are


def _shape(position, keyword):
    return Op("shape", (position, keyword), "nothing: the layers keep [batch, steps, "
                                            "features]")


def _activation(name, tensor=(0, "features")):
    return Op("activation", tensor, name)


OPS = MappingProxyType({
    "reshape": _shape(0, "tensor"),
    "transpose": _shape(0, "a"),
    "unstack": _shape(0, "value"),
    "unpack": _shape(0, "value"),  # TF 0.x
    # tf.split(x, n, axis) (1.x) or tf.split(axis, n, x) (0.x): the tensor's position
    # depends on the version (recognize.inputs._split_tensor)
    "split": Op("shape", None, "nothing: the layers keep [batch, steps, features]"),
    "concat": _shape(0, "values"),
    "stack": _shape(0, "values"),
    "gather": Op("step", (0, "params"), "x[:, -1, :] (the last step)"),
    "relu": _activation("relu"),
    "tanh": _activation("tanh", (0, "x")),
    "sigmoid": _activation("sigmoid", (0, "x")),
    "elu": _activation("elu"),
    "softplus": _activation("softplus"),
    "embedding_lookup": Op("tokens", (1, "ids"), "keras.layers.Embedding"),
    "one_hot": Op("tokens", (0, "indices"), "keras.ops.one_hot"),
    "matmul": Op("dense", (0, "a"), "keras.layers.Dense (with the + b that follows)"),
    "xw_plus_b": Op("dense", (0, "x"), "keras.layers.Dense",
                    Layer((0, "x"), kernel=(1, "weights"), bias=(2, "biases"))),
    "dense": Op("dense", (0, "inputs"), "keras.layers.Dense",
                Layer((0, "inputs"), units=(1, "units"), activation="activation")),
    "fully_connected": Op("dense", (0, "inputs"), "keras.layers.Dense",
                          Layer((0, "inputs"), units=(1, "num_outputs"),
                                kernel_initializer="weights_initializer",
                                bias_initializer="biases_initializer",
                                activation="activation_fn", default_activation="relu")),
    "linear": Op("dense", (0, "inputs"), "keras.layers.Dense",
                 Layer((0, "inputs"), units=(1, "num_outputs"),
                       kernel_initializer="weights_initializer",
                       bias_initializer="biases_initializer")),
})

#: TF1 activation function -> the Keras activation name
ACTIVATIONS = MappingProxyType({name: op.keras for name, op in OPS.items()
                                if op.kind == "activation"})
#: the dense layer calls (``matmul(x, W) + b`` is found apart) -> where their parts are
LAYERS = MappingProxyType({name: op.layer for name, op in OPS.items() if op.layer})


def tensor_of(name):
    """``(position, keyword)`` of the tensor argument of the op ``name``."""
    return OPS[name].tensor
