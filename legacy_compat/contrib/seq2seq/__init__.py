"""Drop-in for ``tensorflow.contrib.seq2seq`` (``tf.contrib.seq2seq``).

Provides TF 1.15's ``sequence_loss`` (:mod:`legacy_compat.contrib.seq2seq.loss`).
"""
from legacy_compat.contrib.seq2seq.loss import sequence_loss  # noqa: F401

__all__ = ["sequence_loss"]

# The decoder API (TF 1.15's helper.py, basic_decoder.py, decoder.py, attention_wrapper.py
# and beam_search_decoder.py's tile_batch).
from legacy_compat.contrib.seq2seq.attention_wrapper import (  # noqa: E402,F401
    AttentionMechanism,
    AttentionWrapper,
    AttentionWrapperState,
    BahdanauAttention,
    LuongAttention,
    hardmax,
)
from legacy_compat.contrib.seq2seq.basic_decoder import (  # noqa: E402,F401
    BasicDecoder,
    BasicDecoderOutput,
)
from legacy_compat.contrib.seq2seq.beam_search_decoder import tile_batch  # noqa: E402,F401
from legacy_compat.contrib.seq2seq.decoder import Decoder, dynamic_decode  # noqa: E402,F401
from legacy_compat.contrib.seq2seq.helper import (  # noqa: E402,F401
    CustomHelper,
    GreedyEmbeddingHelper,
    Helper,
    SampleEmbeddingHelper,
    TrainingHelper,
)

__all__ += [
    "Helper", "CustomHelper", "TrainingHelper", "GreedyEmbeddingHelper",
    "SampleEmbeddingHelper", "BasicDecoder", "BasicDecoderOutput", "Decoder",
    "dynamic_decode", "AttentionMechanism", "AttentionWrapper", "AttentionWrapperState",
    "BahdanauAttention", "LuongAttention", "hardmax", "tile_batch",
]
