"""What ``rnn-migrate`` prints: plain text, or ``rich`` tables and progress bars on a terminal.

:class:`Printer` writes lines, tables and progress bars; :func:`error` writes an error
line to stderr; :func:`quiet_tensorflow` keeps TensorFlow's start-up logging off. Only the standard library is imported here (rich when a terminal asks
for it), and nothing of ``tools``: library code (the demo) may import this module
without importing the command line.
"""
import contextlib
import importlib.abc
import importlib.util
import logging
import os
import re
import sys
import tempfile

PROG = "rnn-migrate"


class Printer:
    """Plain text, or rich when ``stream`` (default stdout) is a terminal and rich is installed."""

    def __init__(self, stream=None, rich=None):
        self.stream = stream or sys.stdout
        if rich is None:
            rich = (getattr(self.stream, "isatty", lambda: False)()
                    and importlib.util.find_spec("rich") is not None)
        self.rich = rich
        if rich:
            from rich.console import Console

            self.console = Console(file=self.stream)

    def line(self, text=""):
        if self.rich:
            self.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream)

    @contextlib.contextmanager
    def progress(self, tasks):
        """Progress bars for long work: yields ``advance(task, step)``.

        ``tasks`` is ``{task name: total steps}``. With rich (a terminal) the bars are
        drawn; in plain text (pipes, logs, tests) nothing is printed.
        """
        if not self.rich:
            yield lambda task, step: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(),
                      console=self.console, transient=False) as bars:
            ids = {name: bars.add_task(name, total=total) for name, total in tasks.items()}
            yield lambda task, step: bars.update(ids[task], completed=step)

    def table(self, title, headers, rows):
        rows = [[str(cell) for cell in row] for row in rows]
        if self.rich:
            from rich.table import Table

            table = Table(title=title, show_lines=False)
            for header in headers:
                table.add_column(header, overflow="fold")
            for row in rows:
                table.add_row(*row)
            self.console.print(table)
            return
        widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
        self.line(title)
        self.line("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
        self.line("  ".join("-" * w for w in widths))
        for row in rows:
            self.line("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def error(message, command=None):
    """``rnn-migrate: error: message`` (``rnn-migrate COMMAND: error: ...``) on stderr."""
    prog = f"{PROG} {command}" if command else PROG
    print(f"{prog}: error: {message}", file=sys.stderr)


# --- TensorFlow's start-up logging ---------------------------------------------------------
#: absl's line before TensorFlow's C++ start-up messages, and the form of those messages
#: (``I0000 00:00:1796179795.441156   15735 port.cc:153] oneDNN custom operations...``).
#: TF 2.17+ writes them before absl::InitializeLog(), where TF_CPP_MIN_LOG_LEVEL does not
#: reach (tensorflow/tensorflow#100442): :func:`quiet_tensorflow` applies that level to
#: them itself.
ABSL_PREINIT = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
ABSL_RECORD = re.compile(r"^([IWEF])\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [^\s\]]+:\d+\] ")


def startup_noise(line, level):
    """Whether ``line`` is an absl record below TF_CPP_MIN_LOG_LEVEL ``level`` (0 INFO,
    1 WARNING, 2 ERROR, 3 FATAL), or absl's pre-init warning line when ``level`` >= 1."""
    if line.rstrip("\r\n") == ABSL_PREINIT:
        return level >= 1
    match = ABSL_RECORD.match(line)
    return bool(match) and "IWEF".index(match.group(1)) < level


@contextlib.contextmanager
def filtered_stderr_fd(drop):
    """Run the body with file descriptor 2 going to a temporary file, then write back to
    the real fd 2 every line for which ``drop(line)`` is false (in order). A file, not a
    pipe, so nothing can block; without a usable fd 2 the body just runs."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode("utf-8", "replace")
            kept = "".join(line for line in text.splitlines(True) if not drop(line))
            if kept:
                os.write(2, kept.encode("utf-8"))


class _QuietLoader(importlib.abc.Loader):
    """The real loader of a module, executed inside :func:`filtered_stderr_fd`."""

    def __init__(self, loader, drop):
        self.loader, self.drop = loader, drop

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = module.__spec__.loader = self.loader  # the module sees its own
        with filtered_stderr_fd(self.drop):
            self.loader.exec_module(module)


class QuietImport(importlib.abc.MetaPathFinder):
    """A one-shot import hook: the first import of top-level module ``name`` runs with
    ``drop``-filtered fd 2 (:func:`filtered_stderr_fd`); any other import is untouched."""

    def __init__(self, name, drop):
        self.name, self.drop = name, drop

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _QuietLoader(spec.loader, self.drop)
        return spec


@contextlib.contextmanager
def quiet_tensorflow(module="tensorflow"):
    """Keep TensorFlow's start-up logging off while the body runs (``rnn-migrate``
    without ``--verbose``, which leaves TF's logging as the environment sets it). Logging
    only, never numerics (``TF_ENABLE_ONEDNN_OPTS`` is left alone): TF_CPP_MIN_LOG_LEVEL=3,
    and, if TensorFlow is imported in the body, absl's pre-init lines (which TF prints
    regardless of that level, see :data:`ABSL_RECORD`) are taken out of fd 2 during that
    import only. TensorFlow's Python logger (its deprecation notices about the TF1 APIs that
    legacy_compat builds graphs with) is set to ERROR. The environment, the logger's level
    and ``sys.meta_path`` are restored afterwards."""
    saved = os.environ.get("TF_CPP_MIN_LOG_LEVEL")
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    # tf_logging.get_logger() uses this logger and leaves its level alone (non-interactive)
    tf_logger = logging.getLogger("tensorflow")
    saved_level = tf_logger.level
    tf_logger.setLevel(logging.ERROR)
    hook = None
    if module not in sys.modules:
        hook = QuietImport(module, lambda line: startup_noise(line, 3))
        sys.meta_path.insert(0, hook)
    try:
        yield
    finally:
        tf_logger.setLevel(saved_level)
        if hook is not None and hook in sys.meta_path:
            sys.meta_path.remove(hook)
        if saved is None:
            os.environ.pop("TF_CPP_MIN_LOG_LEVEL", None)
        else:
            os.environ["TF_CPP_MIN_LOG_LEVEL"] = saved
