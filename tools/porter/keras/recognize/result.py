"""The result of recognition: :class:`RecognizedPipeline`."""
import dataclasses
from typing import Dict, List, Optional, Tuple

from modern.spec import RNNSpec

__all__ = ["RecognizedPipeline", "Miss"]

#: what to do with a program the Keras port does not cover
TODO = ("port by hand, or run it as it is with `rnn-migrate port --to compat` (TF1 on "
        "legacy_compat) and move its trained weights with `rnn-migrate convert` "
        "(TF1 checkpoint -> verified .keras)")


class Miss(tuple):
    """``(line, reason)`` of a construct not recognised, with its ``col`` (1-based) and
    what to do about it (``todo``); compares and unpacks as the plain pair."""

    def __new__(cls, line, reason, col=1):
        self = super().__new__(cls, (line, reason))
        self.col = col
        self.todo = TODO
        return self

    def __reduce__(self):
        return Miss, (self[0], self[1], self.col)


@dataclasses.dataclass
class RecognizedPipeline:
    """What :func:`recognize` found. ``spec`` is None when the model was not recognised."""

    spec: Optional[RNNSpec] = None
    runner: Optional[str] = None
    steps: Optional[int] = None
    input_size: Optional[int] = None
    # per cell: (input_keep_prob, output_keep_prob) of a DropoutWrapper, or None
    dropouts: Tuple[Optional[Tuple[float, float]], ...] = ()
    # keep_prob placeholders: name -> the value fed with the train op (1.0 elsewhere)
    keep_prob_feeds: Dict[str, float] = dataclasses.field(default_factory=dict)
    # sequence_length: the training feed of the lengths placeholder, as code of the
    # generated loop (names: batch_x, batch_y, step, np, constants as literals)
    sequence_length_feed: Optional[str] = None
    readout_init: Optional[Dict[str, float]] = None  # {"mean": m, "stddev": s} of W and b
    # the readout's Keras initializers as code (kernel, bias), its activation (None: linear)
    # and what it reads ("last output" or "final state h", the same tensor unmasked;
    # "last valid output": the final state h under sequence_length; "every output": each
    # step's, a many-to-many model)
    readout_initializers: Optional[Tuple[str, str]] = None
    readout_activation: Optional[str] = None
    readout_from: str = "last output"
    runner_cells: Tuple = ()  # the runner's CellSpecs (the model's RNN, per layer)
    # tf.matmul(x, W_in) + b_in before the RNN: {"units", "initializers": (kernel, bias)
    # as Keras code, "activation": None or a name}
    input_projection: Optional[Dict[str, object]] = None
    # token ids in: a [None, steps] integer placeholder, embedded before the RNN by
    # tf.nn.embedding_lookup(E, ids) ({"embedding": (vocabulary, dim), "initializer":
    # Keras code}) or tf.one_hot(ids, depth) ({"one_hot": depth})
    token_input: Optional[Dict[str, object]] = None
    # an encoder-decoder (the model's runner is the decoder, started from the encoder's
    # final state): {"runner", "spec": the encoder's RNNSpec, "steps", "input_size",
    # "token_input", "input_projection"} of the encoder, as the fields above, and
    # "shared_embedding" (both sides look their ids up in one variable)
    encoder: Optional[Dict[str, object]] = None
    loss: Optional[str] = None
    # the constant a summed loss is divided by (PTB's reduce_sum(loss) / batch_size)
    loss_scale: Optional[float] = None
    optimizer: Optional[str] = None  # "adam", "sgd", "rmsprop"
    optimizer_options: Dict[str, float] = dataclasses.field(default_factory=dict)
    learning_rate: Optional[float] = None
    # (qualified Keras class, its arguments) from modern.optimizers.OPTIMIZERS
    optimizer_keras: Optional[Tuple[str, Dict[str, object]]] = None
    # (TF1's qualified class, its arguments with TF1's defaults): the generated test's
    # TF1 side
    optimizer_tf1: Optional[Tuple[str, Dict[str, object]]] = None
    # gradient clipping between compute_gradients and apply_gradients (modern.optimizers
    # CLIPPING): {"name": "clip_by_global_norm", "keras": {"global_clipnorm": 5.0},
    # "args": TF1's arguments after the tensors}
    clipping: Optional[Dict[str, object]] = None
    # a learning-rate schedule (modern.optimizers SCHEDULES): {"name", "keras": (class,
    # kwargs), "tf1": TF1's arguments but the step, "step": the global step's name, ...}
    schedule: Optional[Dict[str, object]] = None
    global_step: Optional[str] = None  # the name minimize/apply_gradients increments
    # a learning rate in tf.Variable(x, trainable=False) set by tf.assign: {"name",
    # "initial", "assigns": {assign op name: the placeholder it is fed}}
    rate_variable: Optional[Dict[str, object]] = None
    batch_size: Optional[int] = None
    training_steps: Optional[int] = None
    first_step: int = 1
    display_step: Optional[int] = None
    display_first: bool = False
    data: Optional[Dict[str, object]] = None  # {"train_dir": str, "one_hot": bool}
    tf_seed: Optional[int] = None
    np_seed: Optional[int] = None
    # the program's own data and loops are kept, its graph replaced (tools.porter.keras.kept)
    kept: bool = False
    lines: Dict[str, int] = dataclasses.field(default_factory=dict)  # what -> source line
    unrecognized: List[Miss] = dataclasses.field(default_factory=list)
    # (line, what): TF calls with no model meaning left out of the port (summaries, graphs)
    dropped: List[Tuple[int, str]] = dataclasses.field(default_factory=list)

    @property
    def shared_embedding(self):
        """True when an encoder-decoder's two sides look their ids up in one variable."""
        return self.encoder is not None and self.encoder["shared_embedding"]

    @property
    def complete(self):
        """True when everything a Keras port needs was recognised and nothing else is left."""
        return (not self.unrecognized and self.spec is not None and self.runner is not None
                and None not in (self.steps, self.optimizer, self.learning_rate,
                                 self.batch_size, self.training_steps, self.data))
