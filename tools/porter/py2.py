"""Python 2 -> 3 with fissix (the maintained lib2to3 fork), before the codemods run."""
import ast
import difflib
import functools

from fissix import pygram, refactor
from fissix.pgen2.parse import ParseError
from fissix.pgen2.tokenize import TokenError

from tools.porter.compat import names as spec

# 2to3's fixers (fissix's default set) but fix_sorted, fissix's own addition: it rewrites
# every `.sort(...)` call as Python 2's list.sort(cmp, key, reverse), NumPy's included
# (`np.sort(a, axis=1)` became `np.sort(, axis=1, key=cmp_to_key(a))`); list.sort(cmp)
# in Python 2 RNN programs is rare, np.sort / ndarray.sort(axis=...) common
_FIXERS = [name for name in refactor.get_fixers_from_package("fissix.fixes")
           if name != "fissix.fixes.fix_sorted"]


class Py2ParseError(Exception):
    def __init__(self, message, line, col):
        super().__init__(message)
        self.line, self.col = line, col


def has_py2_markers(tree):
    """Python 2-only builtins or dict methods in a tree that parsed as Python 3."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in spec.PY2_NAMES:
            return True
        if isinstance(node, ast.Attribute) and node.attr in spec.PY2_ATTRIBUTES:
            return True
    return False


@functools.lru_cache(maxsize=None)
def _tool(print_function):
    """One fissix tool per grammar (building one compiles every fixer's pattern: ~0.1 s);
    fissix itself reuses a tool across files."""
    tool = refactor.RefactoringTool(_FIXERS, {"print_function": print_function})
    if print_function:
        tool.driver.grammar = tool.grammar = pygram.python_grammar_no_print_statement
    return tool


def to_python3(source, *, print_function=False):
    """``source`` converted by fissix's default fixers; raises :class:`Py2ParseError`."""
    tool = _tool(print_function)
    text = source if source.endswith("\n") else source + "\n"
    try:
        tree = tool.refactor_string(text, "<port>")
    except ParseError as error:
        line, col = error.context[1] if error.context else (0, 0)
        raise Py2ParseError(f"cannot parse as Python 2 or 3: {error.msg} "
                            f"({error.type}, {error.value!r})", line, col + 1) from error
    except (TokenError, IndentationError, SyntaxError) as error:
        args = getattr(error, "args", ())
        pos = args[1] if len(args) > 1 and isinstance(args[1], tuple) else (0, 0)
        raise Py2ParseError(f"cannot tokenize: {args[0] if args else error}",
                            pos[0], pos[1] + 1) from error
    code = str(tree)
    return code if source.endswith("\n") else code[:-1]


def line_changes(old, new):
    """``(line, old_text, new_text)`` per changed block, for the report."""
    a, b = old.splitlines(), new.splitlines()
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            out.append((i1 + 1, "\n".join(a[i1:i2]), "\n".join(b[j1:j2])))
    return out


def old_divisions(tree):
    """Positions of ``/`` and ``/=`` (Python 2 floor division on two ints)."""
    spots = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            spots.append((node.lineno, node.col_offset + 1))
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Div):
            spots.append((node.lineno, node.col_offset + 1))
    return sorted(spots)


def has_future(tree, feature):
    return any(
        isinstance(n, ast.ImportFrom) and n.module == "__future__"
        and any(a.name == feature for a in n.names)
        for n in tree.body
    )
