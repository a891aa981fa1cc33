"""Run an UNPORTED TF1 / TF 0.x program on legacy_compat, without editing it.

Usage::

    python -m tools.porter.compat.dropin PROGRAM.py [ARGS...]

The program's own ``import`` statements are redirected: ``import tensorflow`` (any
alias) gives :mod:`legacy_compat.v1`, ``tensorflow.contrib.rnn`` gives
:mod:`legacy_compat.contrib.rnn`, and ``tensorflow.examples.tutorials.mnist(.input_data)``,
``tensorflow.nn(.rnn_cell)``, ``tensorflow.python.ops(.rnn, .rnn_cell)``,
``tensorflow.models.rnn(.rnn, .rnn_cell)`` their legacy_compat mirrors
(``tensorflow.X`` -> ``legacy_compat.X``; ``tensorflow.compat.v1`` -> ``legacy_compat.v1``).
Then the program runs as ``__main__`` (:func:`runpy.run_path`).

Why an ``__import__`` hook scoped to the program rather than ``sys.modules`` aliasing:
legacy_compat itself runs on the real TensorFlow 2 (and Keras 3 imports
``tensorflow`` lazily), so ``sys.modules["tensorflow"]`` must stay the real package.
Only imports executed by code whose globals belong to the program (module level,
functions, classes, notebook code concatenated into one file) are redirected.

Python 3 programs only. A Python 2 program (print statements, ``xrange``...) must be
run from its fissix conversion (``tools.porter.py2.to_python3``), which changes the
Python 2 syntax and nothing else; see :func:`run_source`.
"""
import builtins
import importlib
import os
import runpy
import sys

__all__ = ["target_module", "redirect", "run_program", "run_source"]

_REAL_IMPORT = builtins.__import__


def target_module(name):
    """The legacy_compat module that stands for TensorFlow module ``name`` (or None)."""
    if name in ("tensorflow", "tensorflow.compat.v1"):
        return "legacy_compat.v1"
    if name.startswith("tensorflow.compat.v1."):
        return "legacy_compat." + name[len("tensorflow.compat.v1."):]
    if name.startswith("tensorflow."):
        return "legacy_compat." + name[len("tensorflow."):]
    return None


def _redirected_import(program_files):
    def _import(name, globals=None, locals=None, fromlist=(), level=0):
        if (level == 0 and globals is not None and globals.get("__file__") in program_files
                and target_module(name) is not None):
            target = target_module(name)
            module = importlib.import_module(target)
            if not fromlist:  # `import tensorflow.contrib.rnn` binds `tensorflow`
                return importlib.import_module("legacy_compat.v1")
            for item in fromlist:
                if item != "*" and not hasattr(module, item):
                    try:
                        importlib.import_module(f"{target}.{item}")
                    except ModuleNotFoundError:
                        pass  # `from m import name` then fails as it would have
            return module
        return _REAL_IMPORT(name, globals, locals, fromlist, level)

    return _import


class redirect:
    """Context manager: redirect the ``tensorflow`` imports of the program ``path``."""

    def __init__(self, path):
        self.files = {str(path), os.path.abspath(str(path))}

    def __enter__(self):
        import legacy_compat.v1  # noqa: F401  (imports the real TensorFlow first)

        self._saved = builtins.__import__
        builtins.__import__ = _redirected_import(self.files)
        return self

    def __exit__(self, *exc):
        builtins.__import__ = self._saved
        return False


def run_program(path, argv=None):
    """Run the (Python 3) program at ``path`` as ``__main__`` under the drop-in."""
    path = str(path)
    saved_argv = sys.argv
    sys.argv = [path, *(argv or [])]
    try:
        with redirect(path):
            return runpy.run_path(path, run_name="__main__")
    finally:
        sys.argv = saved_argv


def run_source(source, path, argv=None):
    """Write ``source`` (converted from Python 2 by fissix when needed) to ``path`` and run it."""
    import ast

    from tools.porter import py2

    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = None
    if tree is None or py2.has_py2_markers(tree):
        source = py2.to_python3(source, print_function=tree is not None)
    with open(path, "w") as f:
        f.write(source)
    return run_program(path, argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    run_program(argv[0], argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
