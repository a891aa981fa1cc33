"""The porting engine: strings, notebooks, files and trees (spec and codemods elsewhere)."""
import ast
import dataclasses
import difflib
import json
import re
import sys
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper

from tools.porter import py2
from tools.porter.compat.codemods import Change, CompatCodemod, Note, Unconverted  # noqa: F401

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


def port_source(source, *, target="compat", filename="<string>"):
    """Port one Python source string to run on legacy_compat; never executes it."""
    if target not in TARGETS:
        raise ValueError(
            f"port_source() supports target in {TARGETS!r}. Received: target={target!r}."
        )
    if target == "keras":
        return _port_keras(source, filename)
    result = PortResult(code=source)
    module, tree = _parses_as_py3(source)
    converted = source
    if module is None or py2.has_py2_markers(tree):
        try:
            converted = py2.to_python3(source, print_function=module is not None)
        except py2.Py2ParseError as error:
            if module is None:
                result.error = ParseFailure(error.line, error.col, str(error))
                return result
            result.notes.append(Note("warning", 1, 1, f"Python 2 names found but fissix "
                                                      f"failed ({error}); left as is"))
        if converted != source:
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
    codemod = CompatCodemod(converted.splitlines())
    try:
        new_module = MetadataWrapper(module).visit(codemod)
    except RecursionError:
        result.error = ParseFailure(1, 1, "too deeply nested for the codemods")
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


def keras_available():
    import importlib.util

    return importlib.util.find_spec("tools.porter.keras.writer") is not None


def _port_keras(source, filename):
    """Adapter over the colleague's string API ``tools.porter.keras.writer.port_to_keras``."""
    if not keras_available():
        raise ValueError("target='keras' needs tools.porter.keras.writer, which this checkout lacks")
    from tools.porter.keras.writer import port_to_keras

    result = PortResult(code=source)
    if _parses_as_py3(source)[0] is None:  # Python 2 first, as for --to compat
        try:
            source = py2.to_python3(source)
            result.python2 = True
        except py2.Py2ParseError as error:
            result.error = ParseFailure(error.line, error.col, str(error))
            return result
    try:
        code, changes, unconverted = port_to_keras(source, filename=filename)
    except cst.ParserSyntaxError as error:
        result.error = ParseFailure(error.raw_line, error.raw_column + 1, error.message)
        return result
    try:
        ast.parse(code)
    except SyntaxError as error:
        result.error = ParseFailure(error.lineno or 1, error.offset or 1,
                                    f"internal error: the Keras port does not parse ({error.msg})")
        return result
    result.code = code
    result.changes = [Change(0, 0, "", str(c), "tools.porter.keras.writer") for c in changes]
    result.unconverted = [Unconverted(line, 1, "", reason, "port by hand (see the reason)")
                          for line, reason in unconverted]
    return result


# --- notebooks -------------------------------------------------------------------------
_MAGIC = re.compile(r"^\s*(?:[%!]|\w+\s*=\s*[%!])")
_PLACEHOLDER = re.compile(r"^(\s*)pass  # __rnn_migrate_magic_(\d+)__$")


def _mask_magics(source):
    lines, magics = [], []
    for line in source.split("\n"):
        if _MAGIC.match(line):
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(f"{indent}pass  # __rnn_migrate_magic_{len(magics)}__")
            magics.append(line)
        else:
            lines.append(line)
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

    per_cell = [PortResult(code="", python2=result.python2) for _ in starts]

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


def port_notebook(text, *, target="compat"):
    """Port the code cells of a notebook (JSON text): ``(new_text, [(cell_index, result)])``.

    The code cells are ported together, as one program (a name imported in one cell is
    used in the next), with IPython magic lines (``%matplotlib``, ``!pip``) masked and
    restored untouched; ``%%`` cell magics are skipped. Outputs and metadata are kept.
    """
    import nbformat

    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
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
    result = port_source("\n".join(pieces) + "\n", target=target)
    cells = _split_result(result, starts)
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

    @property
    def error(self):
        return any(r.error for _, r in self.results) or self.new_text is None

    @property
    def manual(self):
        return any(r.unconverted for _, r in self.results)

    @property
    def changed(self):
        return self.new_text is not None and self.new_text != self.original


def port_file(path, relative=None, *, target="compat"):
    path = Path(path)
    report = FileReport(path, Path(relative or path.name), [])
    try:
        report.original = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        report.results.append((None, PortResult("", error=ParseFailure(0, 0, f"cannot read: {error}"))))
        return report
    if path.suffix == ".ipynb":
        try:
            new_text, report.results = port_notebook(report.original, target=target)
        except Exception as error:  # malformed notebook JSON / schema: a reported error
            report.results.append((None, PortResult("", error=ParseFailure(
                0, 0, f"not a readable notebook: {type(error).__name__}: {error}"))))
            return report
        if not any(r.error for _, r in report.results):
            report.new_text = new_text
    else:
        result = port_source(report.original, filename=str(path), target=target)
        report.results.append((None, result))
        if result.error is None:
            report.new_text = result.code
    return report


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
    n_changes = sum(len(r.changes) for rep in reports for _, r in rep.results)
    n_manual = sum(len(r.unconverted) for rep in reports for _, r in rep.results)
    n_errors = sum(1 for rep in reports if rep.error)
    lines.append(
        f"rnn-migrate port --to {target}: {len(reports)} file(s), {n_changes} change(s), "
        f"{n_manual} construct(s) left for manual work (marked '# rnn-migrate:'), "
        f"{n_errors} error(s); exit code {exit_code}"
    )
    return "\n".join(lines)


def _report_json(reports, exit_code, target="compat"):
    files = []
    for rep in reports:
        entry = {"path": str(rep.path), "output": str(rep.output) if rep.output else None,
                 "changed": rep.changed, "error": rep.error}
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
              stdout=None, stderr=None):
    """Port a file or a tree (``.py`` and ``.ipynb``); returns the exit code (0, 1 or 2).

    Without ``out`` or ``in_place`` nothing is written but the report: the diff and the
    summary go to ``stdout``. With ``out`` the tree is mirrored there (existing files are
    never overwritten unless ``force``); with ``in_place`` each changed file is replaced
    after a ``FILE.bak`` copy (refused when a backup already exists). When any input
    cannot be parsed nothing is written and the exit code is 2.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    root = Path(path)
    if not root.exists():
        return _fail(f"no such file or directory: {path}", stderr)
    if out is not None and in_place:
        return _fail("-o/--out and --in-place exclude each other", stderr)
    out_path = Path(out) if out is not None else None
    skip = out_path.resolve() if out_path is not None and root.is_dir() else None
    if target not in TARGETS or (target == "keras" and not keras_available()):
        return _fail(f"unknown or unavailable target {target!r}", stderr)
    reports = [port_file(f, rel, target=target) for f, rel in _collect(root, skip=skip)]
    if root.is_dir() and not reports:
        print(f"rnn-migrate port: no .py or .ipynb files under {root}", file=stderr)

    code = EXIT_OK
    if any(r.error for r in reports):
        code = EXIT_ERROR
    elif any(r.manual for r in reports):
        code = EXIT_MANUAL

    writes = []  # (destination, text, backup)
    if code != EXIT_ERROR and out_path is not None:
        for rep in reports:
            if root.is_dir():
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
