"""Training: the data source, the seeds, the batch loop, its step count and display."""
import libcst as cst

from .constants import Unresolved, evaluate
from .syntax import (argument, contains_call, is_method_call, last_part, names_in,
                     range_arguments)

__all__ = ["find_data_and_seeds", "find_training_loop"]

_TF_SEEDS = ("tensorflow.set_random_seed", "tensorflow.random.set_random_seed",
             "tensorflow.random.set_seed")
_MAX_ITERATIONS = 10_000_000


def find_data_and_seeds(context):
    """``read_data_sets(dir, one_hot=True)`` -> result.data; the graph and numpy seeds."""
    result = context.result
    for call, line, name in context.calls:
        if last_part(name) == "read_data_sets":
            one_hot = argument(call, 1, "one_hot")
            train_dir = argument(call, 0, "train_dir")
            try:
                result.data = {"train_dir": evaluate(train_dir, context.constants),
                               "one_hot": bool(evaluate(one_hot, {})) if one_hot else False}
            except Unresolved:
                context.miss(line, "read_data_sets: arguments are not constants")
                continue
            result.lines["data"] = line
            if not result.data["one_hot"]:
                context.miss(line, "read_data_sets without one_hot=True: the loss needs "
                                   "one-hot labels")
        elif name in _TF_SEEDS:
            result.tf_seed = context.constant(argument(call, 0, "seed"), "graph seed", line)
        elif name and name.endswith("random.seed") and name.split(".")[0] in ("numpy", "np"):
            result.np_seed = context.constant(argument(call, 0, "seed"), "numpy seed", line)
    if result.data is None:
        context.miss(1, "no `input_data.read_data_sets(..., one_hot=True)` data source")


def find_training_loop(context):
    """The loop around ``next_batch(batch_size)`` -> result.batch_size, training_steps,
    first_step, display_step, display_first."""
    result = context.result
    batches = [(c, line) for c, line, _ in context.calls if is_method_call(c, "next_batch")]
    if not batches:
        context.miss(1, "no `<data>.train.next_batch(batch_size)` found")
        return
    call, line = batches[0]
    result.batch_size = context.constant(argument(call, 0, "batch_size"), "batch size", line)
    enclosing = [(node, loop_line) for node, loop_line in context.loops
                 if loop_line < line and contains_call(node, call)]
    if not enclosing:
        context.miss(line, "next_batch is not inside a for/while training loop")
        return
    if len(enclosing) > 1:
        context.miss(enclosing[0][1], "next_batch inside nested loops (epochs of batches): "
                                      "only one training loop is ported")
        return
    loop = enclosing[-1]
    node, loop_line = loop
    result.lines["loop"] = loop_line
    if isinstance(node, cst.For):
        counter = _for_steps(context, node, loop_line)
    else:
        counter = _while_steps(context, node, loop_line)
    if counter is not None:
        _display(context, node, counter)


def _for_steps(context, node, line):
    """``for step in range(...)`` -> the step count and first step; the counter's name."""
    bounds = range_arguments(node.iter)
    if bounds is None or not isinstance(node.target, cst.Name):
        context.miss(line, "training loop is not `for step in range(...)`")
        return None
    bounds = [context.constant(a.value, "training loop range", line) for a in bounds]
    if None in bounds:
        return None
    steps = range(*bounds)
    context.result.training_steps = len(steps)
    context.result.first_step = steps[0] if len(steps) else 1
    if steps.step != 1:
        context.miss(line, "training loop range with a step other than 1")
    return node.target.value


def _while_steps(context, node, line):
    """``while step * batch_size < training_iters`` with ``step += 1`` -> the step count
    and first step; the counter's name."""
    found = _while_counter(context, node, line)
    if found is None:
        return None
    counter, first = found
    count = _count_iterations(context, node.test, counter, first, line)
    if count is None:
        return None
    context.result.training_steps, context.result.first_step = count, first
    return counter


def _increments(body, name):
    """The amounts ``name`` goes up by in ``body`` (any depth): ``name += k`` and
    ``name = name + k`` / ``name = k + name``."""
    found = []

    class _Increments(cst.CSTVisitor):
        def visit_AugAssign(self, n):
            if isinstance(n.target, cst.Name) and n.target.value == name \
                    and isinstance(n.operator, cst.AddAssign):
                found.append(n.value)

        def visit_Assign(self, n):
            value = n.value
            if len(n.targets) == 1 and isinstance(n.targets[0].target, cst.Name) \
                    and n.targets[0].target.value == name \
                    and isinstance(value, cst.BinaryOperation) \
                    and isinstance(value.operator, cst.Add):
                for mine, other in ((value.left, value.right), (value.right, value.left)):
                    if isinstance(mine, cst.Name) and mine.value == name:
                        found.append(other)
                        break

    body.visit(_Increments())
    return found


def _while_counter(context, node, line):
    """The while loop's counter (the name of its test that the body counts up, wherever
    it is assigned: a module-level ``step = 1`` included) and its start value, or None
    (listed)."""
    counters = [n for n in sorted(names_in(node.test)) if _increments(node.body, n)]
    if len(counters) != 1:
        context.miss(line, "while loop: cannot find its step counter (a name of the "
                           "condition that the loop body counts up: `step += 1`)")
        return None
    counter = counters[0]
    start = [v for v, assign_line, i in context.assignments.get(counter, [])
             if assign_line < line and i is None]
    increments = _increments(node.body, counter)
    if not start or len(increments) != 1:
        context.miss(line, f"while loop: `{counter}` needs a start value and one "
                           f"`{counter} += k`")
        return None
    first = context.constant(start[-1], "loop start", line)
    increment = context.constant(increments[0], "loop increment", line)
    if first is None or increment != 1:
        context.miss(line, "while loop: only `step += 1` counters are ported")
        return None
    return counter, first


def _count_iterations(context, test, counter, first, line):
    """How many times ``while test`` runs, the counter going up by 1 from ``first``."""
    env = dict(context.constants)  # the counter shadows a module-level `step = 1`
    count, step = 0, first
    while True:
        env[counter] = step
        try:
            go = evaluate(test, env)
        except (Unresolved, TypeError):
            context.miss(line, "while loop condition is not a constant comparison")
            return None
        if not go:
            return count
        count, step = count + 1, step + 1
        if count > _MAX_ITERATIONS:
            context.miss(line, "while loop does not end")
            return None


def _display_conditions(body, counter):
    """``[(k, [first steps])]`` of the ``if`` statements testing ``counter % k`` (and
    ``counter == first``) in ``body``."""
    found = []

    class _Conditions(cst.CSTVisitor):
        def visit_If(self, node):
            mods, firsts = [], []

            class _Tests(cst.CSTVisitor):
                def visit_BinaryOperation(self, b):
                    if isinstance(b.operator, cst.Modulo) and isinstance(b.left, cst.Name) \
                            and b.left.value == counter:
                        mods.append(b.right)

                def visit_Comparison(self, c):
                    if isinstance(c.left, cst.Name) and c.left.value == counter \
                            and isinstance(c.comparisons[0].operator, cst.Equal):
                        firsts.append(c.comparisons[0].comparator)

            node.test.visit(_Tests())
            if mods:
                found.append((mods[0], firsts))

    body.visit(_Conditions())
    return found


def _display(context, loop, counter):
    """``if step % display_step == 0`` (``step == 1 or ...``) -> result.display_step,
    display_first."""
    found = _display_conditions(loop.body, counter)
    if not found:
        return
    mod, firsts = found[0]
    result, constants = context.result, context.constants
    try:
        result.display_step = int(evaluate(mod, constants))
        result.display_first = any(evaluate(f, constants) == result.first_step for f in firsts)
    except Unresolved:
        context.miss(result.lines.get("loop"), "display step is not a constant")
