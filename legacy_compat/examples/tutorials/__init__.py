"""Mirror of ``tensorflow.examples.tutorials``: only ``mnist.input_data``."""
