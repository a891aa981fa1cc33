"""``rnn-migrate demo``: port the bundled TF1 tutorial and train both sides side by side.

The demo itself is :mod:`tools.demo` (:func:`tools.demo.run_demo`); this module parses
the options, hands a :class:`~tools.cli.output.Printer` to the demo and turns its
:class:`~tools.demo.DemoError` into an error line and the exit code (1 the tutorial is
missing, 2 a bad option or a refused overwrite; the demo returns 0 or 1 itself).
"""
import argparse
import dataclasses
import time

from tools import demo
from tools.cli.output import Printer, error

HELP = "port the bundled TF1 MNIST tutorial and train both sides side by side"
DESCRIPTION = ("Port the bundled TF1 tutorial (examples/tf1/mnist_lstm_static_rnn.py: "
               "BasicLSTMCell + static_rnn + readout) to Keras 3, then train the TF1 "
               "graph and the Keras model on the embedded MNIST from the same initial "
               "weights on the same batches, and print max |Δ| before training, the "
               "loss, test accuracy and speed of each side; write the two loss curves "
               "to a PNG.\n\n"
               f"Defaults ({demo.DEFAULT_STEPS} steps on {demo.DEFAULT_TRAIN_SIZE} training "
               f"images, {demo.DEFAULT_TEST_SIZE} test images) take about a minute on 2 CPU "
               "cores.")
FORMATTER_CLASS = argparse.RawDescriptionHelpFormatter


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _int(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def add_arguments(parser):
    parser.add_argument("--steps", type=_positive_int, default=demo.DEFAULT_STEPS,
                        help=f"training steps per side (default {demo.DEFAULT_STEPS})")
    parser.add_argument("--train-size", type=_positive_int, default=demo.DEFAULT_TRAIN_SIZE,
                        metavar="N", help="first N MNIST training images to draw batches "
                                          f"from (max {demo.MNIST_TRAIN}, default "
                                          f"{demo.DEFAULT_TRAIN_SIZE})")
    parser.add_argument("--test-size", type=_positive_int, default=demo.DEFAULT_TEST_SIZE,
                        metavar="N", help=f"first N MNIST test images to evaluate on (max "
                                          f"{demo.MNIST_TEST}, default {demo.DEFAULT_TEST_SIZE})")
    parser.add_argument("--units", type=_positive_int, default=None,
                        help="LSTM units (default: the tutorial's num_hidden)")
    parser.add_argument("--batch-size", type=_positive_int, default=None,
                        help="examples per step (default: the tutorial's batch_size)")
    parser.add_argument("--seed", type=_int, default=0,
                        help="draws the shared initial weights and batch order (default 0)")
    parser.add_argument("--png", default=demo.DEFAULT_PNG, metavar="PATH",
                        help=f"where to write the loss curves (default {demo.DEFAULT_PNG} in "
                             "the current directory)")
    parser.add_argument("--out-dir", default=None, metavar="DIR",
                        help=f"write the ported Keras source there ({demo.PORTED_NAME}) "
                             "instead of printing it")
    parser.add_argument("--no-source", action="store_true",
                        help="do not print the ported Keras source")
    parser.add_argument("--force", action="store_true",
                        help="overwrite a --png / ported file that is not a previous demo "
                             "output")


def run(args) -> int:
    started = time.perf_counter()
    options = demo.DemoOptions(**{field.name: getattr(args, field.name)
                                  for field in dataclasses.fields(demo.DemoOptions)})
    try:
        return demo.run_demo(options, Printer(), started=started)
    except demo.DemoError as problem:
        error(str(problem), "demo")
        return problem.code
