"""Recognise a TF1 RNN training program by static analysis (LibCST; the input is never run).

:func:`recognize` reads a tutorial-shaped TF1 / TF 0.x program and returns a
:class:`RecognizedPipeline`: the model as a :class:`modern.models.RNNSpec` (the same
description the registry's equivalence proofs are built from), the TF1 runner, the
input shape and the training hyperparameters. What it does not recognise is listed in
``unrecognized`` as ``(line, reason)``; nothing is guessed.

Recognised idioms:

* module aliases: ``import tensorflow as tf``, ``from tensorflow.contrib import rnn``,
  ``from tensorflow.models.rnn import rnn, rnn_cell``, ``import legacy_compat.v1 as tf``;
* constants: module-level ``name = <number expression>`` (``n_steps = 28``, ``a, b = 1,
  2``), a placeholder's static dimensions (``int(x.get_shape()[1])``, ``x.shape[1]``);
* input: ``tf.placeholder(dtype, [None, steps, input])``, ``tf.unstack(x, T, 1)``
  (``tf.unpack``), ``tf.split(0, T, x)`` (0.x order) / ``tf.split(x, T, 0)``,
  ``tf.reshape(x, [-1, input])``;
* names are followed through assignments and single-definition functions (a parameter
  of ``def RNN(x, weights, biases)`` is the argument of its one call, or its default; a
  function's local names are not seen outside it) (:meth:`.context.Context.binding`);
* a class whose ``__init__`` builds the graph, instantiated once (``model =
  Model(num_steps=28, ...)``): its attributes (``self.inputs`` inside, ``model.inputs``
  outside) are followed as names, its parameters given constants are constants
  (:mod:`.classes`);
* the RNN's input (:mod:`.inputs`): the placeholder through reshapes, or through an input
  projection ``tf.matmul(x, W_in) + b_in`` (a ``Dense`` before the RNN); anything else
  in between is listed;
* cells: ``BasicRNNCell``, ``BasicLSTMCell``, ``LSTMCell`` (peepholes, clip,
  projection), ``GRUCell``, ``LayerNormBasicLSTMCell`` from ``tf.contrib.rnn``,
  ``tf.nn.rnn_cell``, ``rnn_cell``; ``MultiRNNCell([...])`` (list literal, list
  comprehension, ``[cell] * n``); ``DropoutWrapper(cell, input_keep_prob=...,
  output_keep_prob=...)`` with constant keep probabilities, or a ``keep_prob =
  tf.placeholder(tf.float32)`` fed a constant with the train op and 1.0 everywhere else;
* runners: ``static_rnn``/``rnn.rnn``/``tf.nn.rnn``, ``dynamic_rnn``,
  ``static_bidirectional_rnn``/``bidirectional_rnn``, ``bidirectional_dynamic_rnn``
  (one per program; the same call repeated in another branch of a ``try``/``except``,
  the tutorials' fallback for old TF versions, is that one runner), or two: an
  encoder-decoder, the second runner's ``initial_state`` the first's final state
  (through names; ``result.encoder``: the encoder's cells and input, found as the
  model's); ``time_major=False``
  and ``initial_state=cell.zero_state(...)`` (the defaults), other options listed;
  ``sequence_length=<tf.placeholder(tf.int32, [None])>`` -> masked, its feed with the
  train op carried into the generated loop (batch names, the step counter, numpy and
  constants only);
* readout (:mod:`.readout`): a dense layer -- ``tf.matmul(x, W) + b``, ``tf.add`` /
  ``tf.nn.bias_add`` of a matmul, ``tf.nn.xw_plus_b``, ``tf.layers.dense``, contrib's
  ``fully_connected`` / ``linear`` -- on the RNN's last output, followed through names:
  ``outputs[-1]``, ``outputs[:, -1, :]``, every step's output (``tf.reshape(outputs,
  [-1, H])``, a dense layer on the 3-D outputs), ``tf.gather`` of the time-major transpose, the
  last step of ``tf.concat(outputs, 2)`` (``bidirectional_dynamic_rnn``), or the final
  state's h (``state``, ``state.h``, ``state[1]``, ``state[-1].h``: the last output
  without sequence_length); W and b ``tf.Variable(<random_normal, truncated_normal,
  random_uniform, zeros, constant>)`` or ``tf.get_variable(...)`` by name or in a dict
  literal, their initial distributions kept (:mod:`.initializers`);
* loss ``softmax_cross_entropy_with_logits`` (keywords, or 0.x positional
  ``(logits, labels)``); every optimizer of :data:`modern.optimizers.OPTIMIZERS` (the
  table its pairs prove: Adam, GradientDescent, Momentum, Adagrad, RMSProp as
  ``modern.optimizers.TF1RMSprop``, Adadelta);
* training: ``next_batch(batch_size)``, ``for step in range(...)`` or a ``while`` loop
  over a counter its body counts up anywhere (``step += 1``, ``step = step + 1``; a
  module-level ``step = 1`` included), the display condition
  ``step % display_step == 0`` (``step == 1 or ...``), ``read_data_sets(dir,
  one_hot=True)``, ``tf.set_random_seed`` / ``np.random.seed``;
* graph and TensorBoard plumbing with no model meaning (``tf.summary.*``, 0.x's
  ``scalar_summary`` / ``merge_all_summaries``, ``SummaryWriter``,
  ``get_default_graph``) is dropped and named in ``dropped``.

Each reason in ``unrecognized`` is a :class:`~.result.Miss`: ``(line, reason)`` with the
construct's ``col`` and what to do (``todo``: ``--to compat`` and ``rnn-migrate
convert``).

The ops between the placeholder, the RNN and the readout (reshapes, activations, token
ids to vectors, dense layers) and their Keras forms are one table,
:data:`tools.porter.keras.ops.OPS`.

Layout: :class:`~.context.Context` parses the program once and indexes it (imports,
calls, assignments, module constants, loops); the passes below read it and fill in its
``result``, listing what they do not recognise with ``context.miss(line, reason)``. The
cell kinds and runners come from :mod:`modern.spec`.

* :mod:`.classes` (graph classes, flattened before indexing), :mod:`.imports` (aliases,
  canonical names), :mod:`.constants` (constant expressions),
  :mod:`.syntax` (LibCST helpers);
* :mod:`.model`: :mod:`.runners` (the runner call), :mod:`.cells` (cells,
  MultiRNNCell, DropoutWrapper), :mod:`.sequence_length`, :mod:`.feeds` (session runs),
  :mod:`.shapes` (the input idiom), :mod:`.readout`;
* :mod:`.loss_optimizer`, :mod:`.training` (data, seeds, loop, display);
* :mod:`.markers` (TF1 markers, unrecognised leftovers); :mod:`.result`.
"""
from modern import spec as _spec

from .context import Context
from .loss_optimizer import find_loss, find_optimizer
from .markers import list_leftovers, tf1_markers
from .model import find_model
from .result import RecognizedPipeline
from .training import find_data_and_seeds, find_training_loop

__all__ = ["RecognizedPipeline", "recognize", "recognize_context", "tf1_markers", "CELL_TYPES",
           "RUNNERS"]

# the TF1 cell classes; every TF1 spelling of a runner -> the canonical runner
CELL_TYPES = _spec.CELL_TYPES
RUNNERS = _spec.RUNNER_SPELLINGS

# the passes, in order (each reads the context and fills in context.result)
PASSES = (find_data_and_seeds, find_model, find_loss, find_optimizer, find_training_loop,
          list_leftovers)


def recognize_context(source: str, *, filename: str = "<string>") -> Context:
    """The :class:`~.context.Context` of ``source`` after every pass: its ``result`` and
    the nodes the passes found (``readout_node``...), for a port that rewrites the
    program itself (:mod:`tools.porter.keras.kept`)."""
    context = Context(source, filename)
    for recognition_pass in PASSES:
        recognition_pass(context)
    context.result.unrecognized.sort()
    return context


def recognize(source: str, *, filename: str = "<string>") -> RecognizedPipeline:
    """Recognise the TF1 RNN pipeline of ``source`` (static analysis only)."""
    return recognize_context(source, filename=filename).result
