"""``port --to keras`` of a program that brings its own data: the program is kept, its
TF1 graph is replaced.

The MNIST-tutorial port (:mod:`.writer`) writes a new program around ``next_batch``. Most
programs build their batches themselves -- numpy arrays sliced per epoch, their own batch
functions, any feed expression. For those the recognised model (the same
:class:`~tools.porter.keras.recognize.RecognizedPipeline`, the same registry-checked
layers) replaces the graph, and everything else stays as the program wrote it:

* module-level statements that build the graph (``tf.*`` calls, names computed from them,
  functions that call ``tf.*``) and the TensorFlow imports are removed; ``build_model()``
  and ``compile_model()`` follow the imports;
* ``tf.set_random_seed(n)`` becomes ``set_graph_seed(n)``: Keras' seed, with numpy's and
  Python's random states left as the program had them (TF1's graph seed did not touch
  them, so the program's own data stay the same);
* ``with tf.Session() as sess:`` becomes its body, which starts with
  ``model = compile_model(build_model())``; ``sess.run(init)`` goes;
* each ``sess.run(fetches, feed_dict={X: a, Y: b})`` becomes one Keras call on the same
  feeds: with the train op ``model.train_on_batch(a, b)``, with only the loss / accuracy
  ops ``model.test_on_batch(a, b)``, the logits (their softmax, their ``tf.argmax``:
  the predicted classes) ``model.predict_on_batch(a)``; ``tf1_fetches`` returns what
  ``sess.run`` returned, in its order (``None`` for the train op; Keras' loss and accuracy of a train step are
  those before its update, as TF1's fetches were); keep-probability feeds go (Keras'
  ``Dropout`` is active in ``train_on_batch`` only); a ``sequence_length`` feed becomes
  the model's second input, ``[x, lengths]``.

What the kept program does otherwise (a session outside ``with``, fetches of other
tensors, the graph used elsewhere) is
listed as :class:`NotKept`, and nothing is generated.
"""
import libcst as cst

from modern.spec import RUNNER_SPELLINGS
from tools.porter.keras.recognize.constants import NOT_CONSTANT, evaluate
from tools.porter.keras.recognize.feeds import train_op_names
from tools.porter.keras.recognize.syntax import argument, is_method_call, last_part, names_in

__all__ = ["DATA_REASONS", "NotKept", "KeptProgram", "keep_program"]

#: the reasons of a program whose data do not come from input_data (its own data)
DATA_REASONS = ("no `<data>.train.next_batch(batch_size)` found",
                "no `input_data.read_data_sets(..., one_hot=True)` data source")
_INIT = {"global_variables_initializer", "initialize_all_variables"}
_SEEDS = {"set_random_seed", "set_seed"}

_HELPERS = '''def set_graph_seed(seed):
    """TF1's tf.set_random_seed: seeds Keras' random initial weights and dropout; numpy's
    and Python's random states stay as they were (TF1's graph seed did not touch them)."""
    import random

    numpy_state, python_state = np.random.get_state(), random.getstate()
    keras.utils.set_random_seed(seed)
    np.random.set_state(numpy_state)
    random.setstate(python_state)


def tf1_fetches(logs, kinds):
    """What TF1's sess.run returned for its fetches of ``kinds``: None for the train op,
    the loss / accuracy of the Keras step (before its update, as TF1's were)."""
    return [None if kind == "train_op" else np.float32(logs[kind]) for kind in kinds]
'''


_ASSIGN_HELPER = '''def tf1_assign_learning_rate(model, value):
    """TF1's sess.run(tf.assign(lr, value)) on the variable its optimizer reads the learning
    rate from: the Keras optimizer's learning rate from the next step on; returns the value,
    as sess.run did."""
    model.optimizer.learning_rate = value
    return np.float32(value)
'''


class NotKept(Exception):
    """A construct the kept-program port does not cover: ``(line, reason)``."""

    def __init__(self, line, reason):
        super().__init__(reason)
        self.line, self.reason = line, reason


class _Calls(cst.CSTVisitor):
    def __init__(self):
        self.calls = []

    def visit_Call(self, node):
        self.calls.append(node)


def _calls_in(node):
    visitor = _Calls()
    node.visit(visitor)
    return visitor.calls


def _is_tf_import(stmt):
    """True for a line of ``import tensorflow ...`` / ``from tensorflow... import ...``."""
    from tools.porter.keras.recognize.syntax import dotted_name

    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    small = stmt.body[0]
    if isinstance(small, cst.Import):
        return all((dotted_name(a.name) or "").split(".")[0] == "tensorflow"
                   for a in small.names)
    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
        return (dotted_name(small.module) or "").split(".")[0] == "tensorflow"
    return False


class _Program:
    """The recognised program, its graph names and the roles of the names sess.run sees."""

    def __init__(self, context, r):
        from libcst.metadata import MetadataWrapper, PositionProvider

        self.context, self.r = context, r
        self.positions = MetadataWrapper(context.module, unsafe_skip_copy=True).resolve(
            PositionProvider)
        self.tf_calls = {id(c): name for c, _, name in context.calls
                         if name and name.startswith("tensorflow.")}
        self.train_ops = train_op_names(context)
        self.placeholders, self.roles = set(), {}
        self.encoder_input = None  # an encoder-decoder's encoder input placeholder
        for name, assignments in context.assignments.items():
            for value, line, index in assignments:
                if index is None and context.readout_node is not None and context.holds(
                        value, line + 1, context.readout_node):
                    self.roles[name] = "logits"  # the readout's output, through names
                    continue
                if index is None and line == r.lines.get("loss") and isinstance(
                        value, cst.BinaryOperation):  # `tf.reduce_sum(loss) / batch_size`
                    self.roles[name] = "loss"
                    continue
                if index is not None and isinstance(value, (cst.Tuple, cst.List)):
                    value, index = value.elements[index].value, None  # `x, y = a, b`
                if index is not None or not isinstance(value, cst.Call):
                    continue
                last = last_part(context.canonical(value.func))
                if last == "placeholder":
                    self.placeholders.add(name)
                    if value is context.input_placeholder:
                        self.input = name
                    elif value is context.encoder_placeholder:
                        self.encoder_input = name
                elif last in _INIT:
                    self.roles[name] = "init"
                elif line == r.lines.get("loss"):
                    self.roles[name] = "loss"
                elif last == "reduce_mean" and self._is_accuracy(value, line):
                    self.roles[name] = "accuracy"
        logits = {n for n, role in self.roles.items() if role == "logits"}
        self.argmax_axes = {}  # name of tf.argmax(logits or their softmax, axis) -> axis
        for _ in range(2):  # softmax(logits), then argmax of either
            for name, assignments in context.assignments.items():
                for value, _, index in assignments:
                    self._prediction(name, value, index, logits)
        self.roles.update({name: "train_op" for name in self.train_ops})
        self.keep_probs = set(r.keep_prob_feeds)
        self.lengths = None  # the sequence_length placeholder's name
        for call, line, name in context.calls:
            if line == r.lines.get("runner") and last_part(name) in RUNNER_SPELLINGS:
                node = argument(call, None, "sequence_length")
                if isinstance(node, cst.Name):
                    self.lengths = node.value

    def _prediction(self, name, value, index, logits):
        """``name = tf.nn.softmax(logits)`` -> role "prediction"; ``name = tf.argmax(x,
        axis)`` of the logits or their softmax -> role "argmax" (``argmax_axes``)."""
        context = self.context
        if index is not None or not isinstance(value, cst.Call) or not value.args \
                or not isinstance(value.args[0].value, cst.Name):
            return
        last, source = last_part(context.canonical(value.func)), value.args[0].value.value
        if last == "softmax" and source in logits:
            self.roles[name] = "prediction"
        elif last == "argmax" and (source in logits or self.roles.get(source) == "prediction"):
            axis = argument(value, 1, "axis") or argument(value, None, "dimension")
            try:
                self.argmax_axes[name] = evaluate(axis, context.constants)
            except NOT_CONSTANT:
                return
            self.roles[name] = "argmax"

    def _is_accuracy(self, value, line, depth=3):
        """``reduce_mean(cast(equal(argmax(...), ...)))``, through names (``correct``, a
        ``prediction = tf.argmax(logits, 2)``) up to ``depth`` assignments deep."""
        code, values = self.context.code(value), [value]
        for _ in range(depth):
            values = [other for node in values for name in names_in(node)
                      for other, _, _ in self.context.assignments.get(name, ())]
            code += " ".join(self.context.code(other) for other in values)
        return "argmax" in code and "equal" in code

    def line(self, node, default=1):
        where = self.positions.get(node)
        return where.start.line if where is not None else default


def _session_name(stmt, program):
    """``with tf.Session(...) as sess:`` -> "sess" (None for any other statement)."""
    if not isinstance(stmt, cst.With) or len(stmt.items) != 1:
        return None
    item = stmt.items[0]
    call = item.item
    if not (isinstance(call, cst.Call) and last_part(program.tf_calls.get(id(call)))
            in ("Session", "InteractiveSession")):
        return None
    if item.asname is None or not isinstance(item.asname.name, cst.Name):
        raise NotKept(program.line(stmt), "a tf.Session block without `as sess`")
    return item.asname.name.value


class _SessionBody(cst.CSTTransformer):
    """The session block's statements with every ``sess.run`` made a Keras call."""

    def __init__(self, program, session, graph_names):
        super().__init__()
        self.program, self.session, self.graph_names = program, session, graph_names
        self.changes = []
        # id(new call) -> the plain Keras call, for a train step whose result is unused
        self.plain = {}
        self.created = set()  # ids of the Keras calls written in place of sess.run
        self._feed_dicts = {}  # name -> the one dict literal assigned it (feed_dict=name)

    def find_feed_dicts(self, block):
        """The names the session block's ``sess.run`` calls take as ``feed_dict`` that it
        assigns one dict literal: inlined into each Keras call, their assignments go."""
        runs = [c for c in _calls_in(block) if self._is_run(c)
                and isinstance(argument(c, 1, "feed_dict"), cst.Name)]
        names = {argument(c, 1, "feed_dict").value for c in runs}
        assigned = {}

        class _Assigns(cst.CSTVisitor):
            def visit_Assign(self, node):
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        assigned.setdefault(target.target.value, []).append(node.value)

        block.visit(_Assigns())
        self._feed_dicts = {name: values[0] for name, values in assigned.items()
                            if name in names and len(values) == 1
                            and isinstance(values[0], cst.Dict)}

    def _line(self, node):
        return self.program.line(node)

    def _is_run(self, node):
        return (is_method_call(node, "run") and isinstance(node.func.value, cst.Name)
                and node.func.value.value == self.session)

    def _is_feed_dict(self, small):
        return (isinstance(small, cst.Assign) and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
                and self._feed_dicts.get(small.targets[0].target.value) is small.value)

    def leave_SimpleStatementLine(self, original, updated):
        kept = [(o, u) for o, u in zip(original.body, updated.body) if not (
            (isinstance(o, cst.Expr) and ((self._is_run(o.value) and self._is_init(o.value))
                                          or self._runs_init(o.value)))
            or self._is_feed_dict(o))]
        if not kept:
            return cst.RemoveFromParent()
        # `sess.run(train_op, ...)` as a statement: the Keras train step alone
        return updated.with_changes(body=[
            u.with_changes(value=self.plain[id(u.value)])
            if isinstance(u, cst.Expr) and id(u.value) in self.plain else u for _, u in kept])

    def _runs_init(self, call):
        """``tf.global_variables_initializer().run()`` / ``init.run()``: the initializer
        run as an operation (in the default session)."""
        return (is_method_call(call, "run") and all(
            a.keyword is not None and a.keyword.value == "session" for a in call.args)
            and self._is_init_op(call.func.value))

    def _is_init(self, call):
        return self._is_init_op(argument(call, 0, "fetches"))

    def _is_init_op(self, fetches):
        if isinstance(fetches, cst.Name):
            return self.program.roles.get(fetches.value) == "init"
        return isinstance(fetches, cst.Call) and last_part(
            self.program.tf_calls.get(id(fetches))) in _INIT

    def _rate_assignment(self, call, fetches, line):
        """``sess.run(tf.assign(lr, v))`` / ``sess.run(lr_update, feed_dict={new_lr: v})``
        on the optimizer's learning-rate variable -> the code of ``v``, else None."""
        variable = self.program.r.rate_variable
        if variable is None:
            return None
        if isinstance(fetches, cst.Call) and last_part(
                self.program.tf_calls.get(id(fetches))) == "assign":
            ref = argument(fetches, 0, "ref")
            if isinstance(ref, cst.Name) and ref.value == variable["name"]:
                return self.program.context.code(argument(fetches, 1, "value"))
        if isinstance(fetches, cst.Name) and fetches.value in variable["assigns"]:
            fed = variable["assigns"][fetches.value]
            feed = argument(call, 1, "feed_dict")
            if isinstance(feed, cst.Name):
                feed = self._feed_dicts.get(feed.value)
            for element in getattr(feed, "elements", ()):
                if isinstance(element.key, cst.Name) and element.key.value == fed:
                    return self.program.context.code(element.value)
            raise NotKept(line, f"sess.run({fetches.value}) without `{fed}` fed")
        return None

    def _shown(self, node):
        """``node``'s code as the program wrote it (a graph class' attributes)."""
        return self.program.context.shown(self.program.context.code(node))

    def leave_Call(self, original, updated):
        new = self._keras_call(original, updated)
        if new is not updated:  # the Keras code written here (its `model` is the port's)
            self.created.add(id(new))
            if id(new) in self.plain:
                self.created.add(id(self.plain[id(new)]))
        return new

    def _keras_call(self, original, updated):
        if not self._is_run(original) or self._is_init(original):
            return updated
        line = self._line(original)
        fetches = argument(original, 0, "fetches")
        value = self._rate_assignment(original, fetches, line)
        if value is not None:
            code = f"tf1_assign_learning_rate(model, {value})"
            self.changes.append(f"line {line}: sess.run({self._shown(fetches)}, ...) -> {code} "
                                "(the optimizer's learning rate)")
            return cst.parse_expression(code)
        variable = self.program.r.rate_variable
        if variable is not None and isinstance(fetches, cst.Name) \
                and fetches.value == variable["name"]:
            code = "np.float32(keras.ops.convert_to_numpy(model.optimizer.learning_rate))"
            self.changes.append(f"line {line}: sess.run({fetches.value}) -> {code}")
            return cst.parse_expression(code)
        single = isinstance(fetches, cst.Name)
        elements = [fetches] if single else [e.value for e in getattr(fetches, "elements", [])]
        if not elements or not all(isinstance(e, cst.Name) for e in elements):
            raise NotKept(line, "sess.run of fetches other than names of the graph")
        kinds = [self.program.roles.get(e.value) for e in elements]
        if None in kinds:
            unknown = [e.value for e, k in zip(elements, kinds) if k is None]
            raise NotKept(line, f"sess.run fetches {unknown}: only the train op, the loss, "
                                "the accuracy and the logits (their softmax, their argmax) "
                                "are ported")
        x, y = self._feeds(original, line)
        if kinds in (["logits"], ["prediction"], ["argmax"]):
            call = f"model.predict_on_batch({x})"
            if kinds == ["prediction"]:
                call = f"keras.ops.softmax({call})"
            elif kinds == ["argmax"]:  # the class of the largest logit (softmax keeps it)
                axis = self.program.argmax_axes[fetches.value]
                call = f"keras.ops.argmax({call}, axis={axis!r})"
            if not single:
                raise NotKept(line, "sess.run([logits]) in a list")
            code = f"keras.ops.convert_to_numpy({call})"
        else:
            if not set(kinds) <= {"train_op", "loss", "accuracy"}:
                raise NotKept(line, f"sess.run of {kinds} together")
            if y is None:
                raise NotKept(line, "sess.run of the loss or accuracy without the labels fed")
            method = "train_on_batch" if "train_op" in kinds else "test_on_batch"
            code = (f"tf1_fetches(model.{method}({x}, {y}, return_dict=True), {kinds!r})"
                    + ("[0]" if single else ""))
        self.changes.append(f"line {line}: sess.run({self._shown(fetches)}, feed_dict=...) -> "
                            f"{code}")
        new = cst.parse_expression(code)
        if kinds == ["train_op"] and single:
            self.plain[id(new)] = cst.parse_expression(f"model.train_on_batch({x}, {y})")
        return new

    def _feeds(self, call, line):
        feed = argument(call, 1, "feed_dict")
        if isinstance(feed, cst.Name):  # `feed = {x: ..., y: ...}` before the run
            value = self._feed_dicts.get(feed.value)
            if value is None:
                raise NotKept(line, f"feed_dict `{feed.value}` is not one dict literal "
                                    "assigned in the session block")
            feed = value
        if not isinstance(feed, cst.Dict):
            raise NotKept(line, "sess.run without a feed_dict literal")
        x = y = lengths = encoder_x = None
        for element in feed.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.key,
                                                                         cst.Name):
                raise NotKept(line, "feed_dict keys other than placeholder names")
            key, value = element.key.value, self.program.context.code(element.value)
            if key in self.program.keep_probs:
                continue
            if key == self.program.input:
                x = value
            elif key == self.program.encoder_input:
                encoder_x = value
            elif key == self.program.lengths:
                lengths = value
            elif key in self.program.placeholders:
                if y is not None:
                    raise NotKept(line, "more than one labels placeholder fed")
                y = value
            else:
                raise NotKept(line, f"feed_dict key `{key}` is not a placeholder")
        if x is None:
            raise NotKept(line, f"sess.run without the input `{self.program.input}` fed")
        inputs = [x]
        if self.program.r.encoder is not None:  # the model's first input: the encoder's
            if encoder_x is None:
                raise NotKept(line, f"sess.run without the encoder's input "
                                    f"`{self.program.encoder_input}` fed")
            inputs.insert(0, encoder_x)
        if self.program.r.spec.masked:  # the model's last input: TF1's sequence_length
            if lengths is None:
                raise NotKept(line, f"sess.run without `{self.program.lengths}` "
                                    "(sequence_length) fed")
            inputs.append(lengths)
        x = inputs[0] if len(inputs) == 1 else f"[{', '.join(inputs)}]"
        return x, y

    def check(self, body, line):
        """Nothing of the graph or the session (nor an inlined feed dict) is left in the
        rewritten body."""
        rebound = set()  # names the body assigns itself (`batch_cost, _ = sess.run(...)`)

        class _Targets(cst.CSTVisitor):
            def visit_AssignTarget(self, node):
                rebound.update(names_in(node.target))

        body.visit(_Targets())
        left = _names_outside(body, self.created) & (
            self.graph_names | {self.session} | set(self._feed_dicts))
        left -= rebound - {self.session}
        if left:
            raise NotKept(line, f"the session block uses {sorted(left)} other than in "
                                "sess.run")


def keep_program(context):
    """The recognised program (``context``, from
    :func:`~tools.porter.keras.recognize.recognize_context`) without its graph, its session
    block rewritten: a :class:`KeptProgram` whose :meth:`~KeptProgram.code` adds the Keras
    model; raises :class:`NotKept` (before any model is built)."""
    r = context.result
    program = _Program(context, r)
    if not hasattr(program, "input"):
        raise NotKept(1, "the input placeholder was not found")
    module = context.module
    # a graph class' attributes (recognize.classes) are graph names wherever they are used
    graph_names, body, changes = set(context.open_names), [], []
    session_seen = False
    comments = []  # the comment lines of removed statements, kept above the next one

    def keep(statement):
        if comments:
            statement = statement.with_changes(
                leading_lines=comments + list(statement.leading_lines))
            comments.clear()
        body.append(statement)

    for stmt in module.body:
        line = program.line(stmt)
        session = _session_name(stmt, program)
        removed = [lead for lead in getattr(stmt, "leading_lines", ())
                   if lead.comment is not None]
        if _is_tf_import(stmt):
            changes.append(f"line {line}: {context.code(stmt).strip()} -> removed (the "
                           "Keras program imports keras)")
            comments.extend(removed)
            continue
        if session is not None:
            transformer = _SessionBody(program, session, graph_names)
            transformer.find_feed_dicts(stmt.body)
            new_body = stmt.body.visit(transformer)
            transformer.check(new_body, line)
            changes.append(f"line {line}: with tf.Session() as {session}: -> its body, "
                           "model = compile_model(build_model()) first")
            changes += transformer.changes
            statements = list(new_body.body) if isinstance(new_body, cst.IndentedBlock) \
                else [new_body]
            comments.extend(removed)
            keep(_spaced(cst.parse_statement(
                "# the TF1 session: the Keras model of the graph (build_model above)\n"
                "model = compile_model(build_model())\n")))
            body.extend(statements)
            session_seen = True
            continue
        calls = [program.tf_calls.get(id(c)) for c in _calls_in(stmt)]
        if (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
                and isinstance(stmt.body[0], cst.Expr) and len(calls) == 1
                and last_part(calls[0]) in _SEEDS):
            seed = context.code(stmt.body[0].value.args[0].value)
            comments.extend(removed)
            keep(cst.parse_statement(f"set_graph_seed({seed})\n"))
            changes.append(f"line {line}: {calls[0]}({seed}) -> set_graph_seed({seed})")
            continue
        if any(calls) or names_in(stmt) & graph_names:
            if session_seen:
                raise NotKept(line, "the graph is used after the session block")
            graph_names |= _assigned(stmt)
            comments.extend(removed)
            continue
        keep(stmt)
    if not session_seen:
        raise NotKept(r.lines.get("optimizer", 1), "no `with tf.Session() as sess:` block: "
                      "the program's session was not found")
    return KeptProgram(context, body, changes)


class KeptProgram:
    """A kept program without its graph (``changes``: what :func:`keep_program` did);
    :meth:`code` adds the model."""

    def __init__(self, context, body, changes):
        self.context, self.body, self.changes = context, body, changes

    def code(self, definitions, kit_imports):
        """The program with ``definitions`` (:func:`.writer.model_definitions`) and the
        imports they need after its own imports."""
        body, code_of = self.body, self.context.code
        last_import = max((i for i, s in enumerate(body) if isinstance(
            s, cst.SimpleStatementLine) and isinstance(s.body[0], (cst.Import,
                                                                   cst.ImportFrom))),
                          default=-1)
        present = {code_of(s).strip() for s in body[:last_import + 1]}
        imports = [s for s in cst.parse_module("import keras\nimport numpy as np\n" + "".join(
            f"{line}\n" for line in kit_imports)).body if code_of(s).strip() not in present]
        helpers = _HELPERS
        if any("tf1_assign_learning_rate(" in code_of(s) for s in body):
            helpers += "\n\n" + _ASSIGN_HELPER
        added = [_spaced(s) for s in cst.parse_module(helpers + "\n\n" + definitions).body]
        after = list(body[last_import + 1:])
        if after:
            after[0] = _spaced(after[0])
        new_body = list(body[:last_import + 1]) + imports + added + after
        return self.context.module.with_changes(body=new_body).code


def _names_outside(node, created):
    """Every Name in ``node``, but the Keras model's (``model``) in the calls written in
    place of sess.run (``created``: their ids; the feeds inlined in them are counted)."""
    names = set()

    class _Names(cst.CSTVisitor):
        def __init__(self):
            super().__init__()
            self.inside = 0

        def on_visit(self, child):
            if id(child) in created:
                self.inside += 1
            if isinstance(child, cst.Name) and not (self.inside and child.value == "model"):
                names.add(child.value)
            return True

        def on_leave(self, child):
            if id(child) in created:
                self.inside -= 1

    node.visit(_Names())
    return names


def _spaced(stmt):
    """``stmt`` after two blank lines (PEP 8 around top-level definitions)."""
    return stmt.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()] + [
        line for line in stmt.leading_lines if line.comment is not None])


def _assigned(stmt):
    """Names bound by a statement (assignment targets, a def's name)."""
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return {stmt.name.value}
    names = set()
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            targets = [t.target for t in getattr(small, "targets", ())]
            if isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                targets.append(small.target)
            for target in targets:
                names |= names_in(target)
    return names
