"""The result of recognition: :class:`RecognizedPipeline`."""
import dataclasses
from typing import Dict, List, Optional, Tuple

from modern.spec import RNNSpec

__all__ = ["RecognizedPipeline"]


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
    readout_init: Optional[Dict[str, float]] = None  # {"mean": m, "stddev": s}
    loss: Optional[str] = None
    optimizer: Optional[str] = None  # "adam", "sgd", "rmsprop"
    optimizer_options: Dict[str, float] = dataclasses.field(default_factory=dict)
    learning_rate: Optional[float] = None
    batch_size: Optional[int] = None
    training_steps: Optional[int] = None
    first_step: int = 1
    display_step: Optional[int] = None
    display_first: bool = False
    data: Optional[Dict[str, object]] = None  # {"train_dir": str, "one_hot": bool}
    tf_seed: Optional[int] = None
    np_seed: Optional[int] = None
    lines: Dict[str, int] = dataclasses.field(default_factory=dict)  # what -> source line
    unrecognized: List[Tuple[int, str]] = dataclasses.field(default_factory=list)

    @property
    def complete(self):
        """True when everything a Keras port needs was recognised and nothing else is left."""
        return (not self.unrecognized and self.spec is not None and self.runner is not None
                and None not in (self.steps, self.optimizer, self.learning_rate,
                                 self.batch_size, self.training_steps, self.data))
