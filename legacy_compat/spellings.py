"""The TF 0.x / early-1.x spellings that legacy_compat understands: one declarative table.

Programs written for TensorFlow 0.5–0.12 (2015–2016) use names and argument orders
that TensorFlow 1.0 renamed or reversed. :data:`SPELLINGS` lists each of them once,
with the version facts it relies on, and is read by two consumers:

* ``legacy_compat.v1`` (``import legacy_compat.v1 as tf``) builds its aliases and
  argument-reordering wrappers from it, so an old program runs unchanged;
* the porting tool rewrites the same calls in source code.

It also holds :data:`V1_LAYERS`, the ``tf.layers`` names ``legacy_compat.v1`` serves,
for the same two consumers. The module is plain data: it imports nothing from
TensorFlow.

Sources of the version facts: TensorFlow's ``RELEASE.md`` (0.9.0, 0.11.0, 0.12.0 and
1.0.0 sections), TensorFlow 1.0's own upgrade script
``tensorflow/tools/compatibility/tf_upgrade.py`` (its ``symbol_renames``,
``function_reorders`` and ``function_keyword_renames``), and the 0.x sources of
``array_ops.py``, ``nn.py`` and ``math_ops.py``. Where TensorFlow 2.x behaves
differently from TensorFlow 1.x (the cross-entropy sentinel), the note says so; that
was checked on TensorFlow 2.21.

Record fields
-------------
``namespace``, ``old``
    Where the old spelling lived (``"tf"``, ``"tf.nn"`` or ``"tf.train"``) and its name.
``new``
    Full dotted name of the replacement in the TF 1.x namespace (what
    ``legacy_compat.v1`` serves under that name), e.g. ``"tf.nn.static_rnn"``.
``versions``
    TensorFlow versions that had the old form, e.g. ``"0.5–0.12"`` (0.5 was the first
    public release); ``"≤0.12"`` where the first version was not checked.
``kind``
    How a call is rewritten:

    * ``"rename"``: same arguments in the same order; only the name changed.
    * ``"reorder"``: bind the positional arguments to ``old_args`` (the old
      positional order), rename keywords with ``renames``, and pass everything to
      ``new`` as keyword arguments.
    * ``"mask_to_axes"``: as ``"reorder"``, and the renamed argument, a boolean mask
      over the dimensions of the first argument in the old form, becomes the list of
      the indices of its True entries.
``old_args``
    The old positional parameter names, in order (``"reorder"``, ``"mask_to_axes"``).
``renames``
    ``(old keyword, new keyword)`` pairs for the parameters whose name changed. An old
    keyword appearing in a call always marks the old form.
``detect``, ``detect_args``
    When the old and the new spelling share a name, how a call is recognised as the
    old form (see :data:`DETECT_RULES`); ``detect_args`` names the old parameters the
    rule inspects, after binding the positional arguments in the old order.
``note``
    One line: what changed and why the resolution is the right one.
"""
import dataclasses

RENAME = "rename"
REORDER = "reorder"
MASK_TO_AXES = "mask_to_axes"
KINDS = (RENAME, REORDER, MASK_TO_AXES)

ALWAYS = "always"
POSITIONAL = "positional"
LEADING_AXIS = "leading_axis"
LABELS_DTYPE = "labels_dtype"
BOOL_MASK = "bool_mask"

DETECT_RULES = {
    ALWAYS: "Every call is the old form: the old name no longer exists.",
    POSITIONAL: (
        "Any positional argument marks the old form. TF 1.x accepted these arguments by "
        "keyword only, so a positional call can only come from a TF 0.x program; a call "
        "with TF 1.x keywords only passes through unchanged."
    ),
    LEADING_AXIS: (
        "A call whose first positional argument, `{0}`, is an integer scalar (a Python or "
        "NumPy integer, or a 0-d integer tensor of known rank) while `{1}` (bound in the "
        "old order, positionally or by keyword) is tensor-like (a tensor, variable, NumPy "
        "array, list or tuple) is the old form. Any other call goes to the TF 1.x "
        "function unchanged."
    ),
    LABELS_DTYPE: (
        "With the positional arguments bound in the old order, the old form is recognised "
        "when `{0}` has a floating-point dtype and `{1}` an integer dtype; any other call, "
        "including one whose dtypes are unknown, goes to the TF 1.x function unchanged. "
        "TF 1.x read such a call as integer `{0}` and failed, so no valid TF 1.x call is "
        "reinterpreted."
    ),
    BOOL_MASK: (
        "A boolean `{0}` marks the old form: a non-empty list or tuple of Python/NumPy "
        "bools, a boolean NumPy array or a boolean tensor. TF 1.x required integer axes "
        "there, so no valid TF 1.x call is reinterpreted."
    ),
}
"""How a call is recognised as the old form, by ``detect`` value. ``{0}`` and ``{1}``
stand for ``detect_args``; besides, any old-only keyword (an old name in ``renames``)
marks the old form. :meth:`Spelling.detect_rule` gives the complete text."""


@dataclasses.dataclass(frozen=True)
class Spelling:
    """One old spelling and how it maps onto the TF 1.x API (fields: see module doc)."""

    namespace: str
    old: str
    new: str
    versions: str
    kind: str
    note: str
    old_args: tuple = ()
    renames: tuple = ()
    detect: str = ALWAYS
    detect_args: tuple = ()

    @property
    def old_path(self):
        """Full dotted old name, e.g. ``"tf.nn.rnn"``."""
        return f"{self.namespace}.{self.old}"

    def detect_rule(self):
        """How a call is recognised as the old form (``DETECT_RULES`` filled in)."""
        rule = DETECT_RULES[self.detect].format(*self.detect_args)
        if self.renames and self.detect != ALWAYS:
            old_keywords = ", ".join(f"{old}=" for old, _ in self.renames)
            rule = f"A TF 0.x-only keyword ({old_keywords}) marks the old form. {rule}"
        return rule

    @property
    def old_signature(self):
        """The old positional signature, e.g. ``"split(split_dim, num_split, value, name)"``."""
        return f"{self.old}({', '.join(self.old_args)})"


_SAMPLED_LOSS_ARGS = (
    "weights",
    "biases",
    "inputs",
    "labels",
    "num_sampled",
    "num_classes",
    "num_true",
    "sampled_values",
    "remove_accidental_hits",
    "partition_strategy",
    "name",
)

SPELLINGS = (
    # --- argument order reversed in TF 1.0, same name ------------------------------
    Spelling(
        "tf", "split", "tf.split", "0.5–0.12", REORDER,
        old_args=("split_dim", "num_split", "value", "name"),
        renames=(("split_dim", "axis"), ("num_split", "num_or_size_splits")),
        detect=LEADING_AXIS, detect_args=("split_dim", "value"),
        note=(
            "TF 1.0 reversed it to split(value, num_or_size_splits, axis=0, num=None, "
            "name); read in that order, an integer scalar first argument is a 0-d value, "
            "which cannot be split, so a call with an integer first and a tensor third "
            "argument is valid in 0.x only."
        ),
    ),
    Spelling(
        "tf", "concat", "tf.concat", "0.5–0.12", REORDER,
        old_args=("concat_dim", "values", "name"),
        renames=(("concat_dim", "axis"),),
        detect=LEADING_AXIS, detect_args=("concat_dim", "values"),
        note=(
            "TF 1.0 reversed it to concat(values, axis, name), whose axis must be a "
            "scalar; the only call valid in both orders, concat(<int scalar>, <0-d "
            "tensor>), is a single-tensor identity either way and is read as 0.x "
            "(returns the tensor), since only the 0.x order puts the integer first."
        ),
    ),
    Spelling(
        "tf.nn", "softmax_cross_entropy_with_logits",
        "tf.nn.softmax_cross_entropy_with_logits", "0.5–0.12", REORDER,
        old_args=("logits", "labels", "dim", "name"),
        detect=POSITIONAL,
        note=(
            "TF 1.0 put labels first and forced keywords (a _sentinel rejected positional "
            "calls); TF 2.x's compat.v1 version dropped the sentinel and silently reads "
            "positional arguments as (labels, logits), so positional calls are mapped "
            "here by the 0.x order (logits, labels, dim, name). Keyword calls keep the "
            "TF 1.x semantics: no gradient flows into labels."
        ),
    ),
    Spelling(
        "tf.nn", "sparse_softmax_cross_entropy_with_logits",
        "tf.nn.sparse_softmax_cross_entropy_with_logits", "≤0.12", REORDER,
        old_args=("logits", "labels", "name"),
        detect=POSITIONAL,
        note=(
            "Same change as softmax_cross_entropy_with_logits in TF 1.0: 0.x positional "
            "(logits, labels, name); TF 1.x keywords only, labels first."
        ),
    ),
    Spelling(
        "tf.nn", "sigmoid_cross_entropy_with_logits",
        "tf.nn.sigmoid_cross_entropy_with_logits", "0.5–0.12", REORDER,
        old_args=("logits", "targets", "name"),
        renames=(("targets", "labels"),),
        detect=POSITIONAL,
        note=(
            "0.x sigmoid_cross_entropy_with_logits(logits, targets, name); TF 1.0 renamed "
            "targets to labels, put it first and forced keywords."
        ),
    ),
    Spelling(
        "tf.nn", "sampled_softmax_loss", "tf.nn.sampled_softmax_loss", "0.5–0.12", REORDER,
        old_args=_SAMPLED_LOSS_ARGS,
        detect=LABELS_DTYPE, detect_args=("inputs", "labels"),
        note=(
            "TF 1.0 swapped the third and fourth parameters to (weights, biases, labels, "
            "inputs, ...) without forcing keywords; the 0.x order is recognised by its "
            "float inputs and integer labels (the seq2seq translate tutorial's call)."
        ),
    ),
    Spelling(
        "tf.nn", "nce_loss", "tf.nn.nce_loss", "0.5–0.12", REORDER,
        old_args=_SAMPLED_LOSS_ARGS,
        detect=LABELS_DTYPE, detect_args=("inputs", "labels"),
        note=(
            "Same swap as sampled_softmax_loss in TF 1.0: 0.x (weights, biases, inputs, "
            "labels, ...), TF 1.x (weights, biases, labels, inputs, ...)."
        ),
    ),
    Spelling(
        "tf", "reverse", "tf.reverse", "0.5–0.12", MASK_TO_AXES,
        old_args=("tensor", "dims", "name"),
        renames=(("dims", "axis"),),
        detect=BOOL_MASK, detect_args=("dims",),
        note=(
            "0.x reverse(tensor, dims) took a boolean mask with one entry per dimension; "
            "TF 1.0 takes the indices of the axes to reverse (reverse(a, [True, False, "
            "True]) is reverse(a, [0, 2]))."
        ),
    ),
    # --- renamed, argument order changed ---------------------------------------------
    Spelling(
        "tf", "batch_matmul", "tf.matmul", "0.5–0.12", REORDER,
        old_args=("x", "y", "adj_x", "adj_y", "name"),
        renames=(("x", "a"), ("y", "b"), ("adj_x", "adjoint_a"), ("adj_y", "adjoint_b")),
        note=(
            "matmul's third and fourth positional parameters are transpose_a/transpose_b, "
            "so the 0.x positional adj_x/adj_y go to adjoint_a/adjoint_b (they differ for "
            "complex tensors)."
        ),
    ),
    # --- renamed, same arguments -----------------------------------------------------
    Spelling(
        "tf", "pack", "tf.stack", "0.5–0.12", RENAME,
        note="Same arguments (values, axis=0, name); only the default op name differs ('pack').",
    ),
    Spelling(
        "tf", "unpack", "tf.unstack", "0.5–0.12", RENAME,
        note="Same arguments in the same order (value, num=None, axis=0, name).",
    ),
    Spelling("tf", "mul", "tf.multiply", "0.5–0.12", RENAME, note="Same arguments (x, y, name)."),
    Spelling("tf", "sub", "tf.subtract", "0.5–0.12", RENAME, note="Same arguments (x, y, name)."),
    Spelling("tf", "neg", "tf.negative", "0.5–0.12", RENAME, note="Same arguments (x, name)."),
    Spelling(
        "tf", "select", "tf.where", "0.5–0.12", RENAME,
        note=(
            "(condition, t, e, name) -> TF 1.x where(condition, x, y, name): the same "
            "Select op, so a rank-1 condition still picks whole rows (unlike where_v2)."
        ),
    ),
    Spelling(
        "tf", "initialize_all_variables", "tf.global_variables_initializer",
        "0.5–1.15 (deprecated from 0.12)", RENAME, note="No arguments.",
    ),
    Spelling(
        "tf", "initialize_local_variables", "tf.local_variables_initializer",
        "≤1.15 (deprecated from 0.12)", RENAME, note="No arguments.",
    ),
    Spelling(
        "tf", "initialize_variables", "tf.variables_initializer",
        "≤1.15 (deprecated from 0.12)", RENAME, note="Same arguments (var_list, name).",
    ),
    Spelling(
        "tf", "all_variables", "tf.global_variables", "0.5–1.15 (deprecated from 0.12)", RENAME,
        note="Returns the GLOBAL_VARIABLES collection, as before.",
    ),
    Spelling(
        "tf.train", "SummaryWriter", "tf.summary.FileWriter", "0.5–0.12", RENAME,
        note="Same arguments (logdir, graph, max_queue, flush_secs, graph_def).",
    ),
    Spelling(
        "tf", "scalar_summary", "tf.summary.scalar", "0.5–0.12", RENAME,
        note=(
            "(tags, values, collections, name) -> (name, tensor, collections, family): same "
            "positions; the 0.x tag was used verbatim, the new name gets the enclosing "
            "name scope as prefix, and a list or tensor of tags is no longer accepted."
        ),
    ),
    Spelling(
        "tf", "histogram_summary", "tf.summary.histogram", "0.5–0.12", RENAME,
        note=(
            "(tag, values, collections, name) -> (name, values, collections, family): same "
            "positions; the tag now gets the enclosing name scope as prefix."
        ),
    ),
    Spelling(
        "tf", "merge_summary", "tf.summary.merge", "0.5–0.12", RENAME,
        note="Same arguments (inputs, collections, name).",
    ),
    Spelling(
        "tf", "merge_all_summaries", "tf.summary.merge_all", "0.5–0.12", RENAME,
        note="Same argument (key=GraphKeys.SUMMARIES); returns None when nothing is collected.",
    ),
    Spelling(
        "tf.nn", "rnn", "tf.nn.static_rnn", "0.9–0.12", RENAME,
        note=(
            "Same arguments (cell, inputs, initial_state, dtype, sequence_length, scope); "
            "TF 1.0–1.1 had it as tf.contrib.rnn.static_rnn, TF 1.2 as tf.nn.static_rnn."
        ),
    ),
    Spelling(
        "tf.nn", "bidirectional_rnn", "tf.nn.static_bidirectional_rnn", "0.9–0.12", RENAME,
        note=(
            "Same arguments (cell_fw, cell_bw, inputs, initial_state_fw, initial_state_bw, "
            "dtype, sequence_length, scope); returns (outputs, state_fw, state_bw)."
        ),
    ),
)

#: The ``tf.layers`` names ``legacy_compat.v1`` serves from :mod:`legacy_compat.layers`
#: (their ``tf.compat.v1.layers`` versions raise "not available with Keras 3"); every
#: other ``tf.layers`` name goes to ``tf.compat.v1.layers``. Read by ``legacy_compat.v1``
#: and by the porting tool.
V1_LAYERS = ("Dense", "dense", "Dropout", "dropout", "Flatten", "flatten")

# --- TF 0.x's seq2seq module (legacy_compat/contrib/legacy_seq2seq/nn_seq2seq.py) ----------
SPELLINGS += (
    Spelling(
        "tf.nn", "seq2seq", "tf.contrib.legacy_seq2seq.nn_seq2seq", "≤0.12", RENAME,
        note=(
            "The module TF 1.0 moved to tf.contrib.legacy_seq2seq: the same functions, but "
            "its losses call softmax_loss_function(logits, labels) positionally (TF 1.1+: "
            "labels=, logits= keywords) and accept early 0.x's num_decoder_symbols argument, "
            "so it is served as legacy_seq2seq's TF 0.x variant, nn_seq2seq."
        ),
    ),
)
