"""``rnn-migrate port``: port TF1 / TF 0.x RNN programs (``--to compat``: onto legacy_compat).

Library API::

    from tools.porter import port_source, port_path
    result = port_source(code)          # PortResult(code, changes, unconverted, notes, error)
    exit_code = port_path("src/", out="ported/", report="port.json")

The porter never executes its input. Spec (what to rewrite) lives in
:mod:`tools.porter.compat.names`, read from ``legacy_compat`` itself; the LibCST codemods in
:mod:`tools.porter.compat.codemods`; Python 2 conversion (fissix) in :mod:`tools.porter.py2`;
files, notebooks and reports in :mod:`tools.porter.engine`.
"""
from tools.porter.compat.codemods import Change, Note, Unconverted
from tools.porter.engine import (
    EXIT_ERROR,
    EXIT_MANUAL,
    EXIT_OK,
    ParseFailure,
    PortResult,
    port_file,
    port_notebook,
    port_path,
    port_source,
)

__all__ = [
    "Change",
    "Note",
    "Unconverted",
    "ParseFailure",
    "PortResult",
    "port_source",
    "port_notebook",
    "port_file",
    "port_path",
    "EXIT_OK",
    "EXIT_MANUAL",
    "EXIT_ERROR",
]
