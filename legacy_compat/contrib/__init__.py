"""Mirror of ``tensorflow.contrib``: the parts TF1 RNN programs used.

Every module of this package is a ``tf.contrib`` module legacy_compat recreates
(:data:`PROVIDED`); ``import legacy_compat.v1 as tf`` serves each as ``tf.contrib.<name>``
and the compat porter rewrites ``tensorflow.contrib.<name>`` to it. Adding one is adding
a module here.
"""
import pkgutil as _pkgutil

#: The tf.contrib modules legacy_compat provides: the modules of this package.
PROVIDED = tuple(sorted(m.name for m in _pkgutil.iter_modules(__path__)
                        if not m.name.startswith("_")))

from legacy_compat.contrib import rnn  # noqa: E402,F401
