"""Loader of the MNIST copy embedded in the package (``legacy_compat/data/mnist.npz``).

The file holds the 70,000 original MNIST digits in the layout of
``keras.datasets.mnist``; its provenance and licence are in ``data/README.md``.
Nothing is ever downloaded: the file is verified against its sha256 and read
with ``numpy.load(..., allow_pickle=False)``.

Only numpy and the standard library are imported, so any part of the project
(the TF1 ``input_data`` reader, Keras-side tests) can use it without side effects.
"""
import functools
import hashlib
import io
from pathlib import Path

import numpy

EMBEDDED_MNIST_PATH = Path(__file__).resolve().parent / "data" / "mnist.npz"
EMBEDDED_MNIST_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"

# key -> expected shape; every array is uint8.
_EXPECTED_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}
_NUM_CLASSES = 10


def load_mnist_npz(path=EMBEDDED_MNIST_PATH, expected_sha256=EMBEDDED_MNIST_SHA256):
    """Load MNIST from a verified ``.npz`` file (by default the embedded copy).

    Args:
      path: the ``.npz`` file, in the ``keras.datasets.mnist`` layout.
      expected_sha256: hex digest the file must have; it is checked before the
        file is parsed.

    Returns:
      A new dict with the uint8 arrays ``x_train`` (60000, 28, 28),
      ``y_train`` (60000,), ``x_test`` (10000, 28, 28) and ``y_test`` (10000,).
      The arrays are read-only and shared between calls: results are cached
      per (resolved path, file size, modification time), so repeated calls in
      one process neither re-read nor re-hash the file. Copy an array before
      modifying it.

    Raises:
      FileNotFoundError: the file does not exist (the message names the path
        and the expected sha256, so the right file can be put back).
      ValueError: the file's sha256 differs from ``expected_sha256``, or the
        file lacks one of the four arrays or has one with the wrong dtype,
        shape or label values.
    """
    path = Path(path)
    expected_sha256 = expected_sha256.lower()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"MNIST file not found: {path} (expected sha256 {expected_sha256}). "
            "Nothing is downloaded; the copy shipped with legacy_compat is "
            "legacy_compat/data/mnist.npz (see legacy_compat/data/README.md)."
        ) from None
    arrays = _load_verified(str(path.resolve()), stat.st_size, stat.st_mtime_ns, expected_sha256)
    return dict(arrays)


@functools.lru_cache(maxsize=4)
def _load_verified(resolved_path, size, mtime_ns, expected_sha256):
    """Read, verify and validate one file; ``size`` and ``mtime_ns`` key the cache."""
    del size, mtime_ns  # Only part of the cache key: a changed file is read again.
    data = Path(resolved_path).read_bytes()
    actual_sha256 = hashlib.sha256(data).hexdigest()
    if actual_sha256 != expected_sha256:
        raise ValueError(
            f"MNIST file {resolved_path} failed its integrity check: expected sha256 "
            f"{expected_sha256}. Received: sha256 {actual_sha256}. The file is corrupted "
            "or is not the expected one."
        )
    with numpy.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {}
        for key, shape in _EXPECTED_SHAPES.items():
            if key not in npz.files:
                raise ValueError(
                    f"MNIST file {resolved_path} has no array {key!r} (expected uint8 of "
                    f"shape {shape}). Received: arrays {sorted(npz.files)}."
                )
            array = npz[key]
            if array.dtype != numpy.uint8 or array.shape != shape:
                raise ValueError(
                    f"MNIST file {resolved_path}: array {key!r} must be uint8 of shape "
                    f"{shape}. Received: {array.dtype} of shape {array.shape}."
                )
            array.setflags(write=False)
            arrays[key] = array
    for key in ("y_train", "y_test"):
        if arrays[key].max() >= _NUM_CLASSES:
            raise ValueError(
                f"MNIST file {resolved_path}: array {key!r} must hold labels 0 to "
                f"{_NUM_CLASSES - 1}. Received: a label {int(arrays[key].max())}."
            )
    return arrays
