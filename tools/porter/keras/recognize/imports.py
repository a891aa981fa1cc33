"""Module aliases: what each imported name stands for, in TensorFlow's canonical spelling."""
from typing import Dict, Optional

import libcst as cst

from .syntax import dotted_name

__all__ = ["record_import", "record_import_from", "canonical_name", "is_rnn_module"]

# the modules TF1 / TF 0.x programs took cells and runners from
_RNN_PREFIXES = ("tensorflow.contrib.rnn", "tensorflow.nn.rnn_cell", "tensorflow.nn",
                 "tensorflow.models.rnn", "tensorflow.python.ops", "tensorflow.compat.v1.nn")
# Module aliases that mean TensorFlow (the kit's own drop-in included).
_MODULE_CANON = {
    "legacy_compat.v1": "tensorflow",
    "legacy_compat.contrib": "tensorflow.contrib",
    "legacy_compat": "tensorflow",
    "tensorflow.compat.v1": "tensorflow",
}


def record_import(aliases: Dict[str, str], node: cst.Import):
    """``import a.b`` -> ``a``; ``import a.b as c`` -> ``c``: ``a.b``."""
    for alias in node.names:
        full = dotted_name(alias.name)
        local = alias.asname.name.value if alias.asname else full.split(".")[0]
        aliases[local] = full if alias.asname else full.split(".")[0]


def record_import_from(aliases: Dict[str, str], node: cst.ImportFrom):
    """``from a import b as c`` -> ``c``: ``a.b`` (relative and star imports are skipped)."""
    if node.module is None or isinstance(node.names, cst.ImportStar):
        return
    module = dotted_name(node.module)
    for alias in node.names:
        name = alias.name.value
        local = alias.asname.name.value if alias.asname else name
        aliases[local] = f"{module}.{name}"


def canonical_name(aliases: Dict[str, str], func) -> Optional[str]:
    """The dotted name of ``func`` through the aliases, TensorFlow's drop-ins renamed to
    ``tensorflow``; None when it is not a dotted name."""
    dotted = dotted_name(func)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    if head in aliases:
        full = aliases[head] + (("." + rest) if rest else "")
    else:
        full = dotted
    for old, new in _MODULE_CANON.items():
        if full == old or full.startswith(old + "."):
            full = new + full[len(old):]
            break
    return full


def is_rnn_module(name: str) -> bool:
    """True when the canonical ``name`` lives in a module TF1's cells and runners came from."""
    prefix = name.rsplit(".", 1)[0]
    return prefix.startswith(_RNN_PREFIXES)
