"""Session runs and their feeds: placeholders, the train op, keep_prob placeholders."""
import libcst as cst

from .syntax import argument, is_method_call, last_part

__all__ = ["is_placeholder", "train_op_names", "feeds_of", "train_feed", "keep_prob_fed"]


def is_placeholder(context, node, line) -> bool:
    """True when ``node`` is a name assigned a ``tf.placeholder(...)``."""
    value = context.resolve_name(node, line)
    return isinstance(node, cst.Name) and isinstance(value, cst.Call) \
        and last_part(context.canonical(value.func)) == "placeholder"


def train_op_names(context):
    """The names assigned ``<optimizer>.minimize(...)`` or ``.apply_gradients(...)``."""
    return {name for name, assignments in context.assignments.items()
            for value, _, index in assignments
            if index is None and (is_method_call(value, "minimize")
                                  or is_method_call(value, "apply_gradients"))}


def _fetched(fetches):
    if isinstance(fetches, cst.Name):
        return [fetches]
    if isinstance(fetches, (cst.List, cst.Tuple)):
        return [e.value for e in fetches.elements]
    return []


def feeds_of(context, name):
    """``[(value node, line, with the train op)]``: every ``feed_dict`` entry of
    ``name`` in a ``<session>.run(fetches, feed_dict)`` call."""
    train_ops = train_op_names(context)
    out = []
    for call, line, _ in context.calls:
        if not is_method_call(call, "run"):
            continue
        feed = argument(call, 1, "feed_dict")
        if not isinstance(feed, cst.Dict):
            continue
        is_train = any(isinstance(f, cst.Name) and f.value in train_ops
                       for f in _fetched(argument(call, 0, "fetches")))
        for el in feed.elements:
            if isinstance(el, cst.DictElement) and isinstance(el.key, cst.Name) \
                    and el.key.value == name:
                out.append((el.value, line, is_train))
    return out


def train_feed(context, feeds, line, reason):
    """The one ``(value node, line)`` of ``feeds`` made with the train op; None, listed
    as ``reason`` at ``line``, when there is not exactly one."""
    train = [(value, feed_line) for value, feed_line, with_train_op in feeds if with_train_op]
    if len(train) != 1:
        context.miss(line, reason)
        return None
    return train[0]


def keep_prob_fed(context, node, keyword, line):
    """A keep_prob placeholder -> the value fed with the train op; every other feed
    must be 1.0 (Keras' Dropout is off outside training). None (listed) otherwise."""
    name = node.value
    known = context.result.keep_prob_feeds
    if name in known:
        return known[name]
    feeds = feeds_of(context, name)
    train = train_feed(context, feeds, line, f"DropoutWrapper {keyword}=`{name}`: a "
                       "placeholder that is not fed exactly once with the train op")
    if train is None:
        return None
    keep = context.constant(train[0], f"{name} fed in training", train[1])
    if keep is None:
        return None
    for value, feed_line, with_train_op in feeds:
        if not with_train_op and context.constant(
                value, f"{name} fed outside training", feed_line) != 1.0:
            context.miss(feed_line, f"`{name}` fed other than 1.0 outside training: Keras' "
                                    "Dropout is only active in training (train_on_batch)")
            return None
    known[name] = float(keep)
    return float(keep)
