"""Mirror of ``tensorflow.examples.tutorials.mnist``: the offline ``input_data`` reader."""
from legacy_compat.examples.tutorials.mnist import input_data  # noqa: F401
