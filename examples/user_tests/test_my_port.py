"""What a user writes to check a port: their TF1 LSTM classifier vs their Keras 3 model.

Run: python -m pytest examples/user_tests -q -p tools.testing.plugin
"""
import keras
import tensorflow as tf
from hypothesis import given, settings

from legacy_compat.contrib import rnn  # was: from tensorflow.contrib import rnn
from modern.models import CellSpec, RNNSpec
from tools.testing.strategies import rnn_inputs

STEPS, FEATURES, HIDDEN, CLASSES = 6, 4, 8, 3


def tf1_classifier(placeholders):  # the TF1 code, as the tutorial wrote it
    rows = tf.unstack(placeholders["x"], STEPS, 1)
    outputs, state = rnn.static_rnn(rnn.BasicLSTMCell(HIDDEN, forget_bias=1.0), rows,
                                    dtype=tf.float32)
    w_out = tf.Variable(tf.compat.v1.random_normal([HIDDEN, CLASSES]), name="W_out")
    b_out = tf.Variable(tf.compat.v1.random_normal([CLASSES]), name="b_out")
    return {"logits": tf.matmul(outputs[-1], w_out) + b_out, "c": state.c, "h": state.h}


def keras_classifier():  # the port
    x = keras.Input((STEPS, FEATURES), name="x")
    last, h, c = keras.layers.LSTM(HIDDEN, return_state=True, name="rnn")(x)
    logits = keras.layers.Dense(CLASSES, name="readout")(last)
    return keras.Model(x, {"logits": logits, "c": c, "h": h})


MODEL = keras_classifier()
SPEC = RNNSpec((CellSpec("BasicLSTMCell", HIDDEN),), FEATURES, num_classes=CLASSES)


@settings(max_examples=5, deadline=None)
@given(x=rnn_inputs(batch_size=4, steps=STEPS, input_size=FEATURES))
def test_port_matches_tf1(rnn_equivalence, x):
    rnn_equivalence.assert_equivalent(
        tf1_classifier, MODEL, {"x": x}, atol=1e-5,
        weight_map=rnn_equivalence.weights_from_spec(SPEC, "static_rnn",
                                                     readout=("W_out", "b_out")))
