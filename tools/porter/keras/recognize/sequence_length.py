"""``sequence_length=<placeholder>``: its training feed, carried into the generated loop."""
import re

import libcst as cst

from .constants import Unresolved, evaluate
from .feeds import feeds_of, is_placeholder, train_feed
from .syntax import argument, dotted_name, is_method_call, last_part

__all__ = ["sequence_length_feed"]

# the names of the generated training loop
_BATCH_NAMES = ("batch_x", "batch_y")
_KEPT_NAMES = ("int", "len", "min", "max", "range", "list", "None", "True", "False")


def sequence_length_feed(context, node, line):
    """``sequence_length=<placeholder>`` -> its training feed as code of the generated
    loop, or None (listed)."""
    value = context.resolve_name(node, line)
    if not is_placeholder(context, node, line):
        context.miss(line, "sequence_length is not a tf.placeholder fed per batch")
        return None
    if not _is_lengths_placeholder(context, value):
        context.miss(line, "sequence_length: the placeholder is not tf.int32 of shape [None]")
        return None
    if context.result.data is None:  # the program's own data: its feeds stay as written
        return None  # (tools.porter.keras.kept); nothing to carry into a generated loop
    feeds = feeds_of(context, node.value)
    train = train_feed(context, feeds, line, f"sequence_length `{node.value}` is not fed "
                       "exactly once with the train op")
    if train is None:
        return None
    expr, feed_line = train
    code_of = context.code
    for value, other_line, with_train_op in feeds:
        if not with_train_op and code_of(value) != code_of(expr):  # a display run, same batch
            context.miss(other_line, f"`{node.value}` fed `{code_of(value)}` outside the train "
                                     "op: the Keras program evaluates the test set at full "
                                     "length")
            return None
    return _carried_into_loop(context, expr, feed_line)


def _is_lengths_placeholder(context, placeholder):
    """``tf.placeholder(tf.int32, [None])`` (or tf.int64)."""
    dtype, shape = argument(placeholder, 0, "dtype"), argument(placeholder, 1, "shape")
    try:
        dims = evaluate(shape, context.constants) if shape is not None else None
    except Unresolved:
        dims = None
    return last_part(dotted_name(dtype) or "") in ("int32", "int64") and dims == [None]


def _batch_names(context):
    """The names assigned ``next_batch``'s (x, y) -> the generated loop's names."""
    names = {}
    for call, _, _ in context.calls:
        if is_method_call(call, "next_batch"):
            for name, assignments in context.assignments.items():
                for value, _, index in assignments:
                    if value is call and index in (0, 1):
                        names[name] = _BATCH_NAMES[index]
    return names


def _loop_counter(context):
    """The target name of the program's last ``for`` loop (None without one)."""
    counter = None
    for loop, _ in context.loops:
        if isinstance(loop, cst.For) and isinstance(loop.target, cst.Name):
            counter = loop.target.value
    return counter


class _FeedRenamer(cst.CSTTransformer):
    """Renames the feed's names to the generated loop's; ``problems`` collects the names
    it cannot carry."""

    def __init__(self, context):
        super().__init__()
        self.context = context
        self.batch_names = _batch_names(context)
        self.numpy = {k for k, v in context.aliases.items() if v == "numpy"}
        self.counter = _loop_counter(context)
        self.skip = set()
        self.problems = []

    def visit_Attribute(self, node):
        self.skip.add(id(node.attr))

    def visit_Arg(self, node):
        if node.keyword is not None:
            self.skip.add(id(node.keyword))

    def leave_Name(self, original, updated):
        if id(original) in self.skip:
            return updated
        name, constants = original.value, self.context.constants
        if name in self.batch_names:
            if len(self.context.assignments.get(name, [])) > 1:  # reshaped before the feed
                self.problems.append(name)
            return updated.with_changes(value=self.batch_names[name])
        if name in self.numpy:
            return updated.with_changes(value="np")
        if name == self.counter:
            return updated.with_changes(value="step")
        if name in _KEPT_NAMES:
            return updated
        if name in constants and isinstance(constants[name], (int, float)) \
                and not isinstance(constants[name], bool):
            return cst.parse_expression(repr(constants[name]))
        self.problems.append(name)
        return updated


def _carried_into_loop(context, expr, feed_line):
    """The feed ``expr`` as code of the generated loop, or None (listed)."""
    renamer = _FeedRenamer(context)
    code = re.sub(r"([(\[{]) ", r"\1", " ".join(context.code(expr.visit(renamer)).split()))
    if renamer.problems:
        context.miss(feed_line, f"sequence_length feed `{context.code(expr)}`: cannot carry "
                                f"{sorted(set(renamer.problems))} into the Keras program")
        return None
    return code
