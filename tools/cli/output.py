"""What ``rnn-migrate`` prints: plain text, or ``rich`` tables and progress bars on a terminal.

:class:`Printer` writes lines, tables and progress bars; :func:`error` writes an error
line to stderr. Only the standard library is imported here (rich when a terminal asks
for it), and nothing of ``tools``: library code (the demo) may import this module
without importing the command line.
"""
import contextlib
import importlib.util
import sys

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
