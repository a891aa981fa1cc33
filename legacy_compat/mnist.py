"""The MNIST copy embedded in legacy_compat, as numpy arrays (public API).

``load_mnist_npz()`` returns ``{"x_train", "y_train", "x_test", "y_test"}``: the 70,000
original digits as read-only uint8 arrays in the ``keras.datasets.mnist`` layout, read
from ``legacy_compat/data/mnist.npz`` after its sha256 is checked (nothing is ever
downloaded; provenance and licence in ``data/README.md``). It is what
``legacy_compat.examples.tutorials.mnist.input_data.read_data_sets`` reads by default.

Only numpy and the standard library are imported.
"""
from legacy_compat._mnist_data import EMBEDDED_MNIST_PATH, EMBEDDED_MNIST_SHA256, load_mnist_npz

__all__ = ["load_mnist_npz", "EMBEDDED_MNIST_PATH", "EMBEDDED_MNIST_SHA256"]
