"""Families of migration pairs beyond the RNN pipelines (layers, losses, decoders, wrappers).

Each module of :data:`MODULES` defines ``PAIRS``, a tuple of
:class:`tools.proof.pair.MigrationPair`, each with its ``equivalence`` proof function;
:data:`tools.proof.registry.PAIRS` ends with them. Adding a family is adding its module
here.
"""
import importlib

#: the modules of this package that define pairs, in the registry's order
MODULES = ("contrib_rnn", "contrib_layers", "seq2seq_decoder", "seq2seq_losses", "optimizers",
           "sparse_gradients")


def collect():
    """Every family's pairs, in :data:`MODULES` order."""
    return tuple(pair for name in MODULES
                 for pair in importlib.import_module(f"{__name__}.{name}").PAIRS)
