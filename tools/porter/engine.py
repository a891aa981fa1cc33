"""The porting engine: strings, notebooks, files and trees (spec and codemods elsewhere)."""
import ast
import dataclasses
import difflib
import io
import json
import re
import sys
import tokenize
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper

from tools.porter import py2
from tools.porter.compat import names as spec
from tools.porter.compat.codemods import (  # noqa: F401
    Change,
    CompatCodemod,
    Note,
    TF2Evidence,
    Unconverted,
)

TARGETS = ("compat", "keras")
EXIT_OK, EXIT_MANUAL, EXIT_ERROR = 0, 1, 2


@dataclasses.dataclass
class ParseFailure:
    line: int
    col: int
    message: str


@dataclasses.dataclass
class PortResult:
    """What :func:`port_source` did: the new code and every change, gap and note."""

    code: str
    changes: list = dataclasses.field(default_factory=list)
    unconverted: list = dataclasses.field(default_factory=list)
    notes: list = dataclasses.field(default_factory=list)
    error: ParseFailure = None
    python2: bool = False
    tf2: bool = False  # already a TF 2 program: left unchanged
    # --to keras of a recognised TF1 program: proof(port_name) -> the text of the test
    # that proves the port (tools.porter.keras.proof), written beside the output
    proof: object = None

    @property
    def exit_code(self):
        if self.error is not None:
            return EXIT_ERROR
        return EXIT_MANUAL if self.unconverted else EXIT_OK

    @property
    def messages(self):
        """``(severity, line, col, message)`` for everything, in line order."""
        out = [("change", c.line, c.col, f"{c.old} -> {c.new}: {c.why}") for c in self.changes]
        out += [("manual", u.line, u.col, f"{u.construct}: {u.reason}; to do: {u.todo}")
                for u in self.unconverted]
        out += [(n.severity, n.line, n.col, n.message) for n in self.notes]
        if self.error is not None:
            out.append(("error", self.error.line, self.error.col, self.error.message))
        return sorted(out, key=lambda m: (m[1], m[2]))

    def to_json(self):
        return {
            "python2": self.python2,
            "already_tf2": self.tf2,
            "changes": [dataclasses.asdict(c) for c in self.changes],
            "unconverted": [dataclasses.asdict(u) for u in self.unconverted],
            "notes": [dataclasses.asdict(n) for n in self.notes],
            "error": dataclasses.asdict(self.error) if self.error else None,
            "messages": [list(m) for m in self.messages],
        }


def _parses_as_py3(source):
    try:
        ast.parse(source)
        return cst.parse_module(source), ast.parse(source)
    except (SyntaxError, ValueError, cst.ParserSyntaxError, RecursionError):
        return None, None


def port_source(source, *, target="compat", filename="<string>", python2=False):
    """Port one Python source string to run on legacy_compat; never executes it.

    ``python2=True``: the source is Python 2 even if it parses as Python 3 (a
    ``python2``-kernel notebook, a module it imports, ``--py2``), so fissix's whole fixer
    set converts it, ``print(a, b)`` included (a tuple in Python 2). A TF 2 program
    (:class:`~tools.porter.compat.codemods.TF2Evidence`) is left unchanged.
    """
    if target not in TARGETS:
        raise ValueError(
            f"port_source() supports target in {TARGETS!r}. Received: target={target!r}."
        )
    if target == "keras":
        return _port_keras(source, filename, python2=python2)
    result = PortResult(code=source)
    module, tree = _parses_as_py3(source)
    converted = source
    if python2 or module is None or py2.has_py2_markers(tree):
        try:
            converted = py2.to_python3(source, print_function=module is not None and not python2)
        except py2.Py2ParseError as error:
            if module is None or python2:
                result.error = ParseFailure(error.line, error.col, str(error))
                return result
            result.notes.append(Note("warning", 1, 1, f"Python 2 names found but fissix "
                                                      f"failed ({error}); left as is"))
        if converted != source or python2:
            result.python2 = True
            for line, old, new in py2.line_changes(source, converted):
                result.changes.append(Change(line, 1, old, new, "Python 2 -> 3 (fissix)"))
            module, tree = _parses_as_py3(converted)
            if module is None:
                result.error = ParseFailure(1, 1, "fissix output does not parse as Python 3")
                return result
            if not py2.has_future(tree, "division"):
                for line, col in py2.old_divisions(tree):
                    result.notes.append(Note(
                        "warning", line, col,
                        "'/' was floor division on two ints in Python 2 and is true division "
                        "in Python 3 (not rewritten): use '//' where integer division is meant",
                    ))
        elif module is None:
            result.error = ParseFailure(1, 1, "does not parse")
            return result
    wrapper = MetadataWrapper(module)
    evidence = TF2Evidence()
    try:
        if not result.python2:
            wrapper.visit(evidence)
        codemod = CompatCodemod(converted.splitlines(), tf2=evidence.is_tf2)
        new_module = wrapper.visit(codemod)
    except RecursionError:
        result.error = ParseFailure(1, 1, "too deeply nested for the codemods")
        return result
    if evidence.is_tf2:
        result.tf2 = True
        result.notes += _tf2_notes(evidence) + codemod.notes
        return result
    code = new_module.code
    try:
        ast.parse(code)
    except SyntaxError as error:  # never expected: the guard that nothing bad is written
        result.error = ParseFailure(error.lineno or 1, error.offset or 1,
                                    f"internal error: the port does not parse ({error.msg})")
        return result
    result.code = code
    result.changes += codemod.changes
    result.unconverted += codemod.unconverted
    result.notes += codemod.notes
    return result


def _tf2_notes(evidence):
    """The report of a TF 2 program: left unchanged, and why."""
    line, col, _ = evidence.tf2[0]
    uses = ", ".join(dict.fromkeys(
        m.replace("tensorflow.", "tf.") for _, _, d in evidence.tf2 for m in spec.TF2_MARKERS
        if d == m or d.startswith(m + ".")))
    notes = [Note("info", line, col, (
        f"already a TF 2 program, left unchanged (exit code 0): it uses {uses} and nothing "
        "TF1-only (no placeholders, sessions, tf.compat.v1, tf.contrib or other API TF 2 "
        "lacks); porting it onto legacy_compat.v1 would switch the whole process to graph "
        "mode and break its eager code"))]
    for line, col, dotted in evidence.tf2:
        if _under_mnist(dotted):
            notes.append(Note("info", line, col, (
                f"{dotted.replace('tensorflow.', 'tf.')}.load_data() downloads mnist.npz and "
                "fails offline; the kit embeds MNIST: legacy_compat.mnist.load_mnist_npz() "
                "returns x_train, y_train, x_test, y_test in the keras.datasets.mnist layout "
                "(the 70,000 original digits, sha256-checked, never downloaded)")))
            break
    return notes


def _under_mnist(dotted):
    return dotted in ("keras.datasets.mnist", "tensorflow.keras.datasets.mnist")


def keras_available():
    import importlib.util

    return importlib.util.find_spec("tools.porter.keras.writer") is not None


def _port_keras(source, filename, python2=False):
    """Adapter over the colleague's string API ``tools.porter.keras.writer.port_to_keras``."""
    if not keras_available():
        raise ValueError("target='keras' needs tools.porter.keras.writer, which this checkout lacks")
    from tools.porter.keras.writer import port_to_keras_with_proof

    result = PortResult(code=source)
    if python2 or _parses_as_py3(source)[0] is None:  # Python 2 first, as for --to compat
        try:
            source = py2.to_python3(source)
            result.python2 = True
        except py2.Py2ParseError as error:
            result.error = ParseFailure(error.line, error.col, str(error))
            return result
    try:
        code, changes, unconverted, result.proof = port_to_keras_with_proof(
            source, filename=filename)
    except cst.ParserSyntaxError as error:
        result.error = ParseFailure(error.raw_line, error.raw_column + 1, error.message)
        return result
    try:
        ast.parse(code)
    except SyntaxError as error:
        result.error = ParseFailure(error.lineno or 1, error.offset or 1,
                                    f"internal error: the Keras port does not parse ({error.msg})")
        return result
    # Nothing generated (reasons instead): the input as it was, not its fissix conversion.
    result.code = result.code if unconverted and code == source else code
    result.changes = [Change(0, 0, "", str(c), "tools.porter.keras.writer") for c in changes]
    # each a recognize.result.Miss: (line, reason) with its column and what to do
    result.unconverted = [Unconverted(miss[0], miss.col, "", miss[1], miss.todo)
                          for miss in unconverted]
    return result


# --- notebooks -------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"^(\s*)(?:pass  )?# __rnn_migrate_magic_(\d+)__$")
_BRACKETS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def _tokens(text):
    """Python's tokens of ``text``, as many as the tokenizer gives before an error."""
    out = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            out.append(token)
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


def _is_magic_line(line):
    """Whether ``line``, starting a logical line, is IPython syntax: ``%magic``,
    ``!shell``, or ``x = %magic`` / ``x = !shell`` (IPython's own rule: the first ``=``
    outside brackets followed by ``%`` or ``!``)."""
    if line.lstrip().startswith(("%", "!")):
        return True
    depth, tokens = 0, [t for t in _tokens(line)  # (3.11 gives ' ' before '!' as a token)
                        if t.type != tokenize.COMMENT and t.string.strip()]
    for k, token in enumerate(tokens[:-1]):
        if token.type == tokenize.OP and token.string in _BRACKETS:
            depth += _BRACKETS[token.string]
        elif token.string == "=" and depth == 0:
            return tokens[k + 1].string in ("%", "!")
    return False


def magic_lines(source):
    """Indices of the lines of a code cell that are IPython magics or shell escapes.

    Found with Python's tokenizer, tolerant of errors: only a line that starts a logical
    line can be one (not a line inside brackets, after a backslash continuation or inside
    a string), so ``"%d" % (\\n  % x)``-style continuation lines stay Python. A magic line
    ending with a backslash continues onto the next line, which is then magic too.
    ``%%`` cell magics are whole cells: :func:`port_notebook` skips those cells.
    """
    lines, magic, first = source.split("\n"), set(), 0
    while first < len(lines):  # after a tokenizer error: again from the next line
        first = max(_scan_magics(lines, first, magic), first + 1)
    return sorted(magic)


def _scan_magics(lines, first, magic):
    """Tokenize ``lines[first:]``, deciding line by line (as the tokenizer asks for the
    next one) whether it is magic; a magic line reaches the tokenizer as ``pass``. Adds
    the magic lines to ``magic``; returns the index of the line after the last one read."""
    state = {"last": None, "depth": 0, "next": first, "indent": ""}

    def readline():
        i, last = state["next"], state["last"]
        if i >= len(lines):
            return ""
        state["next"] += 1
        starts = (last is None and i == first) or (
            last is not None and last.type in (tokenize.NEWLINE, tokenize.NL)
            and state["depth"] == 0 and last.end[0] + first == i)
        if i - 1 in magic and lines[i - 1].endswith("\\"):
            magic.add(i)
        elif starts and _is_magic_line(lines[i]):
            magic.add(i)
            state["indent"] = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        else:
            return lines[i] + "\n"
        return state["indent"] + "pass\n"

    try:
        for token in tokenize.generate_tokens(readline):
            state["last"] = token
            if token.type == tokenize.OP and token.string in _BRACKETS:
                state["depth"] = max(state["depth"] + _BRACKETS[token.string], 0)
    except (tokenize.TokenError, SyntaxError):
        pass
    return state["next"]


def _mask_magics(source):
    """Magic lines -> placeholders (a comment at the top level, where a ``from
    __future__`` import may follow; ``pass`` in a block), and the lines they replace."""
    lines, magics, indent = source.split("\n"), [], ""
    for i in magic_lines(source):
        line = lines[i]
        if not (magics and magics[-1].endswith("\\")):  # a continuation keeps the indent
            indent = line[: len(line) - len(line.lstrip())]
        lines[i] = f"{indent}{'pass  ' if indent else ''}# __rnn_migrate_magic_{len(magics)}__"
        magics.append(line)
    return "\n".join(lines), magics


def _unmask_magics(code, magics):
    out = []
    for line in code.split("\n"):
        match = _PLACEHOLDER.match(line)
        out.append(magics[int(match.group(2))] if match else line)
    return "\n".join(out)


_CELL = "# __rnn_migrate_cell_{}__"


def _split_result(result, starts):
    """Distribute one PortResult over the cells starting at combined lines ``starts``."""
    import bisect

    per_cell = [PortResult(code="", python2=result.python2, tf2=result.tf2) for _ in starts]

    def place(item):
        k = max(bisect.bisect_right(starts, item.line) - 1, 0)
        return k, dataclasses.replace(item, line=max(item.line - starts[k], 1))

    for field in ("changes", "unconverted", "notes"):
        for item in getattr(result, field):
            k, moved = place(item)
            getattr(per_cell[k], field).append(moved)
    if result.error is not None:
        k, moved = place(result.error)
        per_cell[k].error = moved
    return per_cell


def python2_kernel(nb):
    """Whether a notebook (``nbformat`` node or dict) ran on a Python 2 kernel: its
    ``metadata.kernelspec`` name or language starts with ``python2``, or its
    ``language_info`` version (or codemirror mode version) is 2."""
    metadata = nb.get("metadata", {}) or {}
    kernel = metadata.get("kernelspec", {}) or {}
    info = metadata.get("language_info", {}) or {}
    mode = info.get("codemirror_mode", {})
    return (any(str(kernel.get(key, "")).lower().replace(" ", "").startswith("python2")
                for key in ("name", "language"))
            or (str(info.get("name", "python")).lower() == "python"
                and str(info.get("version", "")).startswith("2"))
            or (isinstance(mode, dict) and str(mode.get("version", "")) == "2"))


def port_notebook(text, *, target="compat", python2=False, filename="<notebook>"):
    """Port the code cells of a notebook (JSON text): ``(new_text, [(cell_index, result)])``.

    The code cells are ported together, as one program (a name imported in one cell is
    used in the next), with IPython magic lines (``%matplotlib``, ``!pip``, found by
    :func:`magic_lines`) masked and restored untouched; ``%%`` cell magics are skipped.
    Outputs and metadata are kept. A notebook of a Python 2 kernel (:func:`python2_kernel`)
    is Python 2 even when its cells parse as Python 3 (``python2=True`` of
    :func:`port_source`).
    """
    import nbformat

    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    python2 = python2 or python2_kernel(nb)
    indices, pieces, magics, starts = [], [], [], []
    line = 1
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code" or cell.source.lstrip().startswith("%%"):
            continue
        masked, cell_magics = _mask_magics(cell.source)
        indices.append(index)
        magics.append(cell_magics)
        starts.append(line)
        piece = _CELL.format(index) + "\n" + masked
        pieces.append(piece)
        line += piece.count("\n") + 1
    if not pieces:
        return text, []
    result = port_source("\n".join(pieces) + "\n", target=target, python2=python2,
                         filename=filename)
    cells = _split_result(result, starts)
    cells[0].proof = result.proof  # one program, one proof (the notebook's)
    results = list(zip(indices, cells))
    if result.error is not None:
        return text, results
    sources, current = {}, None
    if target == "keras" and result.code != "\n".join(pieces) + "\n" \
            and _CELL.format(indices[0]) not in result.code:
        # A generated Keras program replaces the whole pipeline: it goes into the first
        # code cell (the other code cells would otherwise be emptied silently).
        result.code = _CELL.format(indices[0]) + "\n" + result.code + "".join(
            "\n" + _CELL.format(i) + "\n# rnn-migrate: ported into the first code cell"
            for i in indices[1:])
    for out_line in result.code[:-1].split("\n") if result.code.endswith("\n") else result.code.split("\n"):
        match = re.fullmatch(r"# __rnn_migrate_cell_(\d+)__", out_line)
        if match:
            current = int(match.group(1))
            sources[current] = []
        elif current is not None:
            sources[current].append(out_line)
    changed = False
    for k, index in enumerate(indices):
        new_source = _unmask_magics("\n".join(sources.get(index, [])), magics[k])
        if target == "keras" and result.proof is not None:
            new_source = new_source.lstrip("\n")
            if not new_source.strip() and nb.cells[index].source.strip():
                # a cell that only built the TF1 graph (a kept program's port)
                new_source = ("# ported by rnn-migrate: this cell built the TF1 graph; the Keras "
                              "model is build_model() / compile_model() above")
        cells[k].code = new_source
        if new_source != nb.cells[index].source:
            nb.cells[index].source = new_source
            changed = True
    if not changed:
        return text, results
    new_text = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    return new_text + ("\n" if text.endswith("\n") and not new_text.endswith("\n") else ""), results


# --- files and trees ----------------------------------------------------------------
@dataclasses.dataclass
class FileReport:
    path: Path
    relative: Path
    results: list  # [(cell index or None, PortResult)]
    original: str = ""
    new_text: str = None
    output: Path = None
    proof_written: Path = None  # the test of a Keras port, once written

    @property
    def error(self):
        return any(r.error for _, r in self.results) or self.new_text is None

    @property
    def manual(self):
        return any(r.unconverted for _, r in self.results)

    @property
    def changed(self):
        return self.new_text is not None and self.new_text != self.original

    @property
    def proof(self):
        """``proof(port_name) -> test text`` of a Keras port (see :class:`PortResult`)."""
        proofs = [r.proof for _, r in self.results if r.proof is not None]
        return proofs[0] if len(proofs) == 1 and not self.error else None

    def proof_path(self):
        """Where the port's test goes: ``test_<stem>_keras_port.py`` beside the output."""
        from tools.porter.keras.proof import proof_test_name

        return self.output.with_name(proof_test_name(self.path))


def port_file(path, relative=None, *, target="compat", python2=False):
    path = Path(path)
    report = FileReport(path, Path(relative or path.name), [])
    try:
        report.original = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        report.results.append((None, PortResult("", error=ParseFailure(0, 0, f"cannot read: {error}"))))
        return report
    if path.suffix == ".ipynb":
        try:
            new_text, report.results = port_notebook(report.original, target=target,
                                                     python2=python2, filename=str(path))
        except Exception as error:  # malformed notebook JSON / schema: a reported error
            report.results.append((None, PortResult("", error=ParseFailure(
                0, 0, f"not a readable notebook: {type(error).__name__}: {error}"))))
            return report
        if not any(r.error for _, r in report.results):
            report.new_text = new_text
    else:
        result = port_source(report.original, filename=str(path), target=target,
                             python2=python2)
        report.results.append((None, result))
        if result.error is None:
            report.new_text = result.code
    return report


def _imported_modules(report):
    """Top-level names of the absolute imports of a port (notebooks: of its code cells)."""
    text = report.new_text if report.new_text is not None else report.original
    if report.path.suffix == ".ipynb":
        import nbformat

        cells = nbformat.reads(text, as_version=nbformat.NO_CONVERT).cells
        text = "\n".join(_mask_magics(c.source)[0] for c in cells
                         if c.get("cell_type") == "code" and not c.source.lstrip().startswith("%%"))
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _port_python2_helpers(reports, target):
    """A ``.py`` module that a Python 2 notebook (or such a module) imports from its own
    directory is Python 2 too: port it again as such (``python2=True``)."""
    by_path = {rep.path.resolve(): k for k, rep in enumerate(reports)}
    todo = [rep for rep in reports if rep.path.suffix == ".ipynb"
            and any(r.python2 for _, r in rep.results)]
    while todo:
        rep = todo.pop()
        for name in sorted(_imported_modules(rep)):
            k = by_path.get((rep.path.parent / f"{name}.py").resolve())
            if k is None or any(r.python2 for _, r in reports[k].results):
                continue
            helper = reports[k]
            reports[k] = port_file(helper.path, helper.relative, target=target, python2=True)
            reports[k].results[0][1].notes.insert(0, Note(
                "info", 1, 1, f"Python 2: imported by {rep.path.name}, which is Python 2"))
            todo.append(reports[k])
    return reports


def _collect(root, skip=None):
    if root.is_file():
        return [(root, Path(root.name))]
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        if skip is not None and (path.resolve() == skip or skip in path.resolve().parents):
            continue
        if path.is_file() and path.suffix in (".py", ".ipynb"):
            files.append((path, rel))
    return files


def _where(report, cell, line, col):
    place = f"{report.path}:{line}:{col}"
    return place if cell is None else f"{report.path} (cell {cell}):{line}:{col}"


def summary_text(reports, exit_code, target="compat"):
    lines = []
    for report in reports:
        for cell, result in report.results:
            for severity, line, col, message in result.messages:
                lines.append(f"{_where(report, cell, line, col)}: {severity}: {message}")
        if report.proof_written is not None:
            lines.append(f"{report.path}: proof: wrote {report.proof_written} (run `pytest "
                         f"{report.proof_written}`: logits, gradients and training against "
                         "the TF1 model on legacy_compat)")
        elif report.proof is not None and report.output is None:
            lines.append(f"{report.path}: proof: with -o or --in-place, the test that proves "
                         "the port is written beside it")
    n_changes = sum(len(r.changes) for rep in reports for _, r in rep.results)
    n_manual = sum(len(r.unconverted) for rep in reports for _, r in rep.results)
    n_errors = sum(1 for rep in reports if rep.error)
    n_tf2 = sum(1 for rep in reports if rep.results and all(r.tf2 for _, r in rep.results))
    lines.append(
        f"rnn-migrate port --to {target}: {len(reports)} file(s), {n_changes} change(s), "
        f"{n_manual} construct(s) left for manual work (marked '# rnn-migrate:'), "
        f"{n_errors} error(s)" + (f", {n_tf2} already TF 2 (left unchanged)" if n_tf2 else "")
        + f"; exit code {exit_code}"
    )
    return "\n".join(lines)


def _report_json(reports, exit_code, target="compat"):
    files = []
    for rep in reports:
        entry = {"path": str(rep.path), "output": str(rep.output) if rep.output else None,
                 "changed": rep.changed, "error": rep.error,
                 "proof_test": str(rep.proof_written) if rep.proof_written else None}
        if rep.path.suffix == ".ipynb":
            entry["cells"] = [dict(cell=cell, **r.to_json()) for cell, r in rep.results]
        else:
            entry.update(rep.results[0][1].to_json() if rep.results else {})
            entry["error"] = entry.get("error") or (rep.error or None)
        files.append(entry)
    return {"tool": "rnn-migrate port", "target": target, "exit_code": exit_code, "files": files}


def _fail(message, stream):
    print(f"rnn-migrate port: error: {message}", file=stream)
    return EXIT_ERROR


def port_path(path, *, out=None, in_place=False, report=None, force=False, target="compat",
              python2=False, stdout=None, stderr=None):
    """Port a file or a tree (``.py`` and ``.ipynb``), or a list of them; returns the exit
    code (0, 1 or 2). Several paths are ported together (one summary, one report); with
    ``out`` each is mirrored under that directory by its name.

    ``python2=True`` (``--py2``): every input is Python 2 (see :func:`port_source`).
    Without it, a ``.py`` file that a Python 2 notebook of the tree imports from its own
    directory is Python 2 too (:func:`_port_python2_helpers`).

    Without ``out`` or ``in_place`` nothing is written but the report: the diff and the
    summary go to ``stdout``. With ``out`` the tree is mirrored there (existing files are
    never overwritten unless ``force``); with ``in_place`` each changed file is replaced
    after a ``FILE.bak`` copy (refused when a backup already exists). When any input
    cannot be parsed nothing is written and the exit code is 2.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    roots = [Path(p) for p in ([path] if isinstance(path, (str, Path)) else path)]
    for root in roots:
        if not root.exists():
            return _fail(f"no such file or directory: {root}", stderr)
    if out is not None and in_place:
        return _fail("-o/--out and --in-place exclude each other", stderr)
    out_path = Path(out) if out is not None else None
    if target not in TARGETS or (target == "keras" and not keras_available()):
        return _fail(f"unknown or unavailable target {target!r}", stderr)
    mirror = len(roots) > 1  # outputs at out/<name of the root>/...
    reports = []
    for root in roots:
        skip = out_path.resolve() if out_path is not None and root.is_dir() else None
        files = _collect(root, skip=skip)
        if root.is_dir() and not files:
            print(f"rnn-migrate port: no .py or .ipynb files under {root}", file=stderr)
        reports += [port_file(f, Path(root.name) / rel if mirror and root.is_dir() else rel,
                              target=target, python2=python2) for f, rel in files]
    if not python2:
        reports = _port_python2_helpers(reports, target)
    root = roots[0]

    code = EXIT_OK
    if any(r.error for r in reports):
        code = EXIT_ERROR
    elif any(r.manual for r in reports):
        code = EXIT_MANUAL

    writes = []  # (destination, text, backup)
    if code != EXIT_ERROR and out_path is not None:
        for rep in reports:
            if mirror or root.is_dir():
                rep.output = out_path / rep.relative
            else:
                rep.output = out_path / root.name if out_path.is_dir() else out_path
            if rep.output.resolve() == rep.path.resolve():
                code = _fail(f"{rep.output} is the input itself; use --in-place", stderr)
            elif rep.output.exists() and not force:
                code = _fail(f"{rep.output} exists; pass --force to overwrite it", stderr)
            writes.append((rep.output, rep.new_text, None))
    elif code != EXIT_ERROR and in_place:
        for rep in reports:
            if rep.changed:
                backup = rep.path.with_name(rep.path.name + ".bak")
                if backup.exists():
                    code = _fail(f"backup {backup} already exists; move it away first", stderr)
                rep.output = rep.path
                writes.append((rep.path, rep.new_text, backup))
    for rep in reports:  # the test that proves each Keras port, beside it
        if code != EXIT_ERROR and rep.output is not None and rep.proof is not None:
            test = rep.proof_path()
            if test.exists() and not force:
                code = _fail(f"{test} exists; pass --force to overwrite it", stderr)
            writes.append((test, rep.proof(rep.output.name), None))
            rep.proof_written = test
    if code == EXIT_ERROR:
        writes = []

    for destination, text, backup in writes:
        if backup is not None:
            backup.write_bytes(destination.read_bytes())
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")

    if out_path is None and not in_place:
        for rep in reports:
            if rep.changed:
                stdout.writelines(difflib.unified_diff(
                    rep.original.splitlines(True), rep.new_text.splitlines(True),
                    str(rep.path), f"{rep.path} (ported)"))
    print(summary_text(reports, code, target), file=stdout)
    if report is not None:
        Path(report).write_text(json.dumps(_report_json(reports, code, target), indent=2) + "\n",
                                encoding="utf-8")
    return code
