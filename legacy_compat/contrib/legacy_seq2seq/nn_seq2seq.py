"""TF 0.x's ``tf.nn.seq2seq`` (``tensorflow/python/ops/seq2seq.py``, up to TF 0.12).

``import legacy_compat.v1 as tf`` serves this module as ``tf.nn.seq2seq`` (see
``legacy_compat/spellings.py``). The model functions are TF 1.15's
(:mod:`legacy_compat.contrib.legacy_seq2seq.seq2seq`, the very same objects): they build
the same graph, with TF 1.2+'s variable names (TF 0.x wrote ``Linear/Matrix``,
``Linear/Bias`` and CamelCase cell scopes such as ``EmbeddingWrapper`` and ``GRUCell``).
The losses keep TF 0.x's conventions:

* ``softmax_loss_function`` is called positionally as ``f(logits, labels)`` (TF 0.x; TF 1.0
  called ``f(labels, logits)`` and TF 1.1+ ``f(labels=..., logits=...)``), so a TF 0.x
  ``def sampled_loss(inputs, labels)`` works unchanged.
* Early TF 0.x (the ``tensorflow/models/rnn/seq2seq.py`` era; the exact release that
  dropped it was not checked) had a ``num_decoder_symbols`` argument after ``weights``
  (``sequence_loss_by_example``, ``sequence_loss``) and after ``buckets``
  (``model_with_buckets``). Both forms are accepted: a ``num_decoder_symbols=`` keyword,
  or an integer (not a bool) in that position, marks the early form; its value must equal
  the logits' number of classes (early 0.x built one-hot targets of that width, then the
  same softmax cross-entropy). Its ``model_with_buckets`` had no ``per_example_loss``.
"""
import numbers

from legacy_compat.contrib.legacy_seq2seq import seq2seq as _impl
from legacy_compat.contrib.legacy_seq2seq.seq2seq import (  # noqa: F401
    attention_decoder,
    basic_rnn_seq2seq,
    embedding_attention_decoder,
    embedding_attention_seq2seq,
    embedding_rnn_decoder,
    embedding_rnn_seq2seq,
    embedding_tied_rnn_seq2seq,
    rnn_decoder,
    tied_rnn_seq2seq,
)
from legacy_compat._tf1_layer import static_dim

__all__ = list(_impl.__all__)

# The parameters after the fixed ones: late 0.x (up to 0.12), then early 0.x.
_LATER_OPTIONS = {
    "sequence_loss_by_example": ("average_across_timesteps", "softmax_loss_function", "name"),
    "sequence_loss": ("average_across_timesteps", "average_across_batch",
                      "softmax_loss_function", "name"),
    "model_with_buckets": ("seq2seq", "softmax_loss_function", "per_example_loss", "name"),
}
_EARLY_OPTIONS = {
    "sequence_loss_by_example": ("num_decoder_symbols",) + _LATER_OPTIONS[
        "sequence_loss_by_example"],
    "sequence_loss": ("num_decoder_symbols",) + _LATER_OPTIONS["sequence_loss"],
    "model_with_buckets": ("num_decoder_symbols", "seq2seq", "softmax_loss_function", "name"),
}
_DEFAULTS = {"average_across_timesteps": True, "average_across_batch": True,
             "softmax_loss_function": None, "per_example_loss": False, "name": None}


def _call_positional(softmax_loss_function, target, logit):
    """TF 0.x: ``softmax_loss_function(logits, labels)``, positionally."""
    return softmax_loss_function(logit, target)


def _is_early_form(args, kwargs):
    if "num_decoder_symbols" in kwargs:
        return True
    return bool(args) and isinstance(args[0], numbers.Integral) and not isinstance(args[0], bool)


def _bind(function, args, kwargs):
    """The options of a call by name, read in the early or the late TF 0.x order."""
    early = _is_early_form(args, kwargs)
    order = (_EARLY_OPTIONS if early else _LATER_OPTIONS)[function]
    versions = "early 0.x" if early else "0.x"
    if len(args) > len(order):
        raise TypeError(f"tf.nn.seq2seq.{function}() takes at most {len(order)} optional "
                        f"positional arguments in its TF {versions} form ({', '.join(order)}). "
                        f"Received: {len(args)}.")
    bound = dict(zip(order, args))
    for name, value in kwargs.items():
        if name not in order:
            raise TypeError(f"tf.nn.seq2seq.{function}() got an unexpected keyword argument "
                            f"{name!r}; its TF {versions} options are: {', '.join(order)}.")
        if name in bound:
            raise TypeError(f"tf.nn.seq2seq.{function}() got multiple values for argument "
                            f"{name!r} (TF {versions} order: {', '.join(order)}).")
        bound[name] = value
    for name in order:
        bound.setdefault(name, _DEFAULTS.get(name))
    return bound


def _check_num_decoder_symbols(function, bound, logits):
    """An early-0.x ``num_decoder_symbols`` must match the logits' static width."""
    expected = bound.get("num_decoder_symbols")
    if expected is None:
        return bound
    for logit in logits:
        classes = static_dim(logit.get_shape()[-1]) if logit.get_shape().ndims else None
        if classes is not None and classes != expected:
            raise ValueError(f"tf.nn.seq2seq.{function}(): num_decoder_symbols={expected} "
                             f"(the early TF 0.x argument) must equal the number of classes of "
                             f"the logits; received logits of shape {logit.get_shape()}.")
    return bound


def sequence_loss_by_example(logits, targets, weights, *args, **kwargs):
    """TF 0.x ``sequence_loss_by_example(logits, targets, weights,
    average_across_timesteps=True, softmax_loss_function=None, name=None)``, or with
    ``num_decoder_symbols`` after ``weights`` (early 0.x).
    ``softmax_loss_function(logits, labels)`` is called positionally."""
    function = "sequence_loss_by_example"
    o = _check_num_decoder_symbols(function, _bind(function, args, kwargs), logits)
    return _impl._sequence_loss_by_example(logits, targets, weights, o["average_across_timesteps"],
                                           o["softmax_loss_function"], o["name"], _call_positional)


def sequence_loss(logits, targets, weights, *args, **kwargs):
    """TF 0.x ``sequence_loss(logits, targets, weights, average_across_timesteps=True,
    average_across_batch=True, softmax_loss_function=None, name=None)``, or with
    ``num_decoder_symbols`` after ``weights`` (early 0.x).
    ``softmax_loss_function(logits, labels)`` is called positionally."""
    o = _check_num_decoder_symbols("sequence_loss", _bind("sequence_loss", args, kwargs), logits)
    return _impl._sequence_loss(logits, targets, weights, o["average_across_timesteps"],
                                o["average_across_batch"], o["softmax_loss_function"], o["name"],
                                _call_positional)


def model_with_buckets(encoder_inputs, decoder_inputs, targets, weights, buckets, *args,
                       **kwargs):
    """TF 0.x ``model_with_buckets(encoder_inputs, decoder_inputs, targets, weights, buckets,
    seq2seq, softmax_loss_function=None, per_example_loss=False, name=None)``, or
    ``(..., buckets, num_decoder_symbols, seq2seq, softmax_loss_function=None, name=None)``
    (early 0.x). ``softmax_loss_function(logits, labels)`` is called
    positionally."""
    bound = _bind("model_with_buckets", args, kwargs)
    if not callable(bound["seq2seq"]):
        raise TypeError("tf.nn.seq2seq.model_with_buckets(): seq2seq must be a function "
                        "(encoder_inputs, decoder_inputs) -> (outputs, state). Received: "
                        f"{bound['seq2seq']!r}.")
    outputs, losses = _impl._model_with_buckets(
        encoder_inputs, decoder_inputs, targets, weights, buckets, bound["seq2seq"],
        bound["softmax_loss_function"], bound.get("per_example_loss", False), bound["name"],
        _call_positional)
    for bucket_outputs in outputs:
        _check_num_decoder_symbols("model_with_buckets", bound, bucket_outputs)
    return outputs, losses
