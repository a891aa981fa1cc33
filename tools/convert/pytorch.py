"""TF1 checkpoint -> a verified PyTorch ``state_dict`` (``rnn-migrate convert --to torch``).

:func:`convert_to_torch` reads and infers the checkpoint as the Keras conversion does
(:func:`modern.checkpoint.read_tf1_checkpoint`), builds :class:`modern.torch.TF1RNN`,
proves it against the TF1 graph with the checkpoint restored by a Saver
(:func:`tools.convert.verify_against_tf1`, :data:`tools.convert.TOLERANCE`), then writes
``torch.save(module.state_dict())`` under a temporary name, loads it into a fresh
``TF1RNN(spec)``, compares, and only then moves it into place (never over an existing
file unless ``force``). :func:`modern.torch.constructor` gives the expression that
rebuilds the module for ``load_state_dict``.
"""
import os
import tempfile

from tools import convert as _convert
from tools.proof.torch_harness import torch_outputs

TORCH_MISSING = "--to torch needs PyTorch: pip install 'tf1-rnn-migration-kit[torch]'"


def _modern_torch():
    try:
        import torch  # noqa: F401

        import modern.torch
    except ImportError:
        raise _convert.ConversionError(TORCH_MISSING) from None
    return modern.torch


def save_state_dict(module, path, *, steps=_convert.DEFAULT_VERIFY_STEPS):
    """``torch.save(module.state_dict())`` to ``path``, atomically, after checking that the
    file loads into a fresh ``TF1RNN(module.spec)`` computing the same outputs (max
    |difference| returned)."""
    import torch

    modern_torch = _modern_torch()
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=".rnn-migrate-", suffix=".pt", dir=directory)
    os.close(handle)
    try:
        torch.save(module.state_dict(), tmp)
        loaded = modern_torch.TF1RNN(module.spec)
        loaded.load_state_dict(torch.load(tmp, weights_only=True))
        diff = _convert.max_output_diff(
            _convert._outputs(module, module.spec, steps, 1, torch_outputs),
            _convert._outputs(loaded, module.spec, steps, 1, torch_outputs))
        if diff > _convert.TOLERANCE:
            raise _convert.ConversionError(f"the saved state_dict does not reload to the same "
                                           f"module (max |diff| {diff:.3g})")
        os.replace(tmp, path)
        return diff
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def convert_to_torch(checkpoint, output, *, force=False, verify_steps=None, seed=0,
                     report=None, **options) -> "_convert.ConvertResult":
    """TF1 checkpoint -> verified ``state_dict`` file (see the module docstring).

    ``options``: :func:`modern.torch.from_tf1_checkpoint`'s keyword arguments.
    ``report(kind, payload)`` is called with ``("verification", EquivalenceReport)``.

    Raises:
        ConversionError: PyTorch is not installed, the output exists (and not ``force``),
            the checkpoint cannot be converted, or the module differs from the TF1 graph
            by more than :data:`tools.convert.TOLERANCE`. Nothing is written then.
    """
    report = report or (lambda kind, payload: None)
    modern_torch = _modern_torch()
    output = os.fspath(output)
    if output.endswith(".keras"):
        raise _convert.ConversionError(f"--to torch writes a PyTorch state_dict (.pt), not "
                                       f"{output!r}")
    _convert.check_output_path(output, force)
    found = _convert._read(checkpoint, options)
    try:
        module = modern_torch.TF1RNN(found.spec).load_tf1_weights(found.rnn_variables,
                                                                  found.readout)
    except (TypeError, ValueError) as error:
        raise _convert.ConversionError(f"cannot build the torch module: {error}") from None
    readout_names = tuple(options.get("readout") or ()) or None
    verification = _convert.verify_against_tf1(
        found, module, steps=verify_steps or options.get("steps")
        or _convert.DEFAULT_VERIFY_STEPS, seed=seed, readout_names=readout_names,
        outputs_of=torch_outputs, side="torch module")
    report("verification", verification)
    if not verification.ok:
        raise _convert.ConversionError(
            f"the torch module does not compute what the TF1 graph computes: max |diff| "
            f"{verification.max_diff:.3g} on {verification.worst!r} > tolerance "
            f"{_convert.TOLERANCE:g}; nothing written")
    diff = save_state_dict(module, output, steps=verification.context["steps"])
    return _convert.ConvertResult(found, module, [], verification, diff, output)
