"""Mirror of ``tensorflow.examples``: only ``tutorials.mnist.input_data``."""
