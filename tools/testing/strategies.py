"""Hypothesis strategies for testing your own TF1 RNN -> Keras 3 port.

Each function returns a :class:`hypothesis.strategies.SearchStrategy`, takes its
options by keyword only, and checks them when it is called (not when the first
example is drawn): a bad option raises :class:`hypothesis.errors.InvalidArgument`
naming the parameter, echoing the value and suggesting a fix.

* :func:`cell_specs` -> :class:`modern.models.CellSpec` (one TF1 cell and its options);
* :func:`rnn_specs` -> :class:`modern.models.RNNSpec` (cells, direction, length, readout);
* :func:`pipelines` -> ``(RNNSpec, runner)``, the runner one of
  :data:`modern.spec.UNIDIRECTIONAL_RUNNERS` + ``BIDIRECTIONAL_RUNNERS``;
* :func:`rnn_inputs` -> a numpy array ``[batch_size, steps, input_size]``;
* :func:`sequence_lengths` -> an int32 array ``[batch_size]`` of lengths in
  ``[0, steps]`` (0 and ``steps`` both present when ``batch_size >= 2``).

Every drawn spec is one that :func:`modern.models.build_keras_model` reproduces
exactly (no known limitation excuses any check of it), so
``tools.testing.assert_spec_equivalent(*draw(pipelines()), ...)`` must pass.

Shapes are plain ints: draw them first and build the dependent strategies from them
(``st.data()`` or ``flatmap``), so that inputs and lengths share one batch size::

    @given(st.data())
    def test_masked(data):
        batch = data.draw(st.integers(1, 4))
        x = data.draw(rnn_inputs(batch_size=batch, steps=5, input_size=3))
        lengths = data.draw(sequence_lengths(batch_size=batch, steps=5))
"""
import math
import numbers
from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp

from modern.models import CellSpec, RNNSpec
from modern.spec import BIDIRECTIONAL_RUNNERS, CELL_KINDS, CELL_TYPES, UNIDIRECTIONAL_RUNNERS

__all__ = [
    "cell_specs",
    "rnn_specs",
    "pipelines",
    "rnn_inputs",
    "sequence_lengths",
]

RUNNERS = UNIDIRECTIONAL_RUNNERS + BIDIRECTIONAL_RUNNERS
DEFAULT_FORGET_BIASES = (1.0, 0.0, 0.5, -0.3)
_CELL_CLIPS = (None, 0.1, 0.5, 2.0)
_PROJ_CLIPS = (None, 0.05, 0.3)
_DEFAULT_INPUT_SIZES = (1, 4)
_DEFAULT_NUM_CLASSES = (1, 4)


# ------------------------------------------------------------------------------------
# validation (InvalidArgument, naming the parameter, echoing the value, suggesting a fix)
# ------------------------------------------------------------------------------------
def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_int(name, value, *, min_value, hint=""):
    if not _is_int(value):
        raise InvalidArgument(f"{name} must be an int >= {min_value}, got {value!r} "
                              f"(of type {type(value).__name__}){hint}")
    if value < min_value:
        raise InvalidArgument(f"{name} must be >= {min_value}, got {value!r}{hint}")
    return int(value)


def _check_bounds(min_name, min_value, max_name, max_value):
    if min_value > max_value:
        raise InvalidArgument(
            f"{min_name} must be <= {max_name}, got {min_name}={min_value!r} and "
            f"{max_name}={max_value!r}; raise {max_name} or lower {min_name}")


def _check_bool(name, value, *, allow_none):
    if isinstance(value, bool) or (allow_none and value is None):
        return value
    expected = "True, False or None (None: drawn)" if allow_none else "True or False"
    raise InvalidArgument(f"{name} must be {expected}, got {value!r}")


def _check_choices(name, value, allowed, *, example):
    """A non-empty sequence (not a string) of distinct members of ``allowed``."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidArgument(
            f"{name} must be a non-empty sequence of names from {allowed}, got {value!r}; "
            f"for a single one write {name}=({example!r},)")
    if not value:
        raise InvalidArgument(f"{name} must not be empty, got {value!r}; choose from {allowed}")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise InvalidArgument(f"{name} contains unknown names {unknown}; expected names from "
                              f"{allowed}")
    return tuple(dict.fromkeys(value))


def _check_strategy(name, value, what):
    if not isinstance(value, st.SearchStrategy):
        raise InvalidArgument(f"{name} must be a SearchStrategy of {what}, got {value!r} "
                              f"(of type {type(value).__name__}); wrap a fixed value in "
                              f"st.just(...)")
    return value


def _int_choices(name, value, *, default, min_value):
    """int, sequence of ints or strategy of ints -> a strategy (None: the default range)."""
    if value is None:
        return st.integers(*default)
    if isinstance(value, st.SearchStrategy):
        return value
    if _is_int(value):
        return st.just(_check_int(name, value, min_value=min_value))
    if isinstance(value, Sequence) and not isinstance(value, str):
        if not value:
            raise InvalidArgument(f"{name} must not be empty, got {value!r}; pass an int, a "
                                  f"non-empty list of ints or a strategy")
        return st.sampled_from([_check_int(f"each of {name}", v, min_value=min_value)
                                for v in value])
    raise InvalidArgument(f"{name} must be an int >= {min_value}, a sequence of them or a "
                          f"SearchStrategy of ints, got {value!r} (of type "
                          f"{type(value).__name__})")


# ------------------------------------------------------------------------------------
# strategies
# ------------------------------------------------------------------------------------
def cell_specs(*, cell_types=CELL_TYPES, min_units=1, max_units=8, forget_biases=None,
               lstm_options=True) -> st.SearchStrategy:
    """One TF1 cell: a strategy of :class:`modern.models.CellSpec`.

    Args:
        cell_types: the TF1 cell classes to draw from (names of
            :data:`modern.spec.CELL_TYPES`); shrinks towards the first.
        min_units, max_units: bounds of ``num_units`` (``1 <= min_units <= max_units``).
        forget_biases: for LSTM-like cells, the ``forget_bias`` values to draw from: a
            non-empty sequence of finite numbers or a strategy of them; ``None`` draws
            from ``(1.0, 0.0, 0.5, -0.3)`` (TF1's default first).
        lstm_options: ``True`` also draws ``LSTMCell``'s ``use_peepholes``,
            ``cell_clip``, ``num_proj`` (in ``[1, max_units]``) and ``proj_clip``, and
            ``LayerNormBasicLSTMCell``'s ``layer_norm``; ``False`` keeps TF1's defaults.
    """
    cell_types = _check_choices("cell_types", cell_types, CELL_TYPES, example="LSTMCell")
    min_units = _check_int("min_units", min_units, min_value=1)
    max_units = _check_int("max_units", max_units, min_value=1)
    _check_bounds("min_units", min_units, "max_units", max_units)
    lstm_options = _check_bool("lstm_options", lstm_options, allow_none=False)
    if forget_biases is None:
        forget_strategy = st.sampled_from(DEFAULT_FORGET_BIASES)
    elif isinstance(forget_biases, st.SearchStrategy):
        forget_strategy = forget_biases
    elif isinstance(forget_biases, Sequence) and not isinstance(forget_biases, str):
        if not forget_biases:
            raise InvalidArgument("forget_biases must not be empty, got []; pass None for "
                                  f"the default {DEFAULT_FORGET_BIASES} or e.g. [1.0]")
        bad = [b for b in forget_biases if isinstance(b, bool) or not isinstance(
            b, numbers.Real) or not math.isfinite(b)]
        if bad:
            raise InvalidArgument(f"forget_biases must hold finite numbers only, got {bad!r} "
                                  f"in {forget_biases!r}")
        forget_strategy = st.sampled_from([float(b) for b in forget_biases])
    else:
        raise InvalidArgument(f"forget_biases must be None, a sequence of finite numbers or a "
                              f"SearchStrategy, got {forget_biases!r}; for one value write "
                              f"forget_biases=[{forget_biases!r}]")

    @st.composite
    def draw_cell(draw):
        cell_type = draw(st.sampled_from(cell_types))
        units = draw(st.integers(min_units, max_units))
        options, takes = {}, CELL_KINDS[cell_type].options
        if "forget_bias" in takes:
            options["forget_bias"] = float(draw(forget_strategy))
        if lstm_options and "use_peepholes" in takes:
            num_proj = draw(st.one_of(st.none(), st.integers(1, max_units)))
            options.update(
                use_peepholes=draw(st.booleans()),
                cell_clip=draw(st.sampled_from(_CELL_CLIPS)),
                num_proj=num_proj,
                proj_clip=draw(st.sampled_from(_PROJ_CLIPS)) if num_proj else None)
        if lstm_options and "layer_norm" in takes:
            options["layer_norm"] = not draw(st.booleans())  # shrinks to TF1's True
        return CellSpec(cell_type, units, **options)

    return draw_cell()


def _num_classes_strategy(num_classes):
    if num_classes is None:
        return st.one_of(st.none(), st.integers(*_DEFAULT_NUM_CLASSES))
    if isinstance(num_classes, st.SearchStrategy):
        return num_classes
    return st.just(_check_int("num_classes", num_classes, min_value=1,
                              hint="; pass num_classes=st.none() for no readout"))


def _validated_spec_options(cells, min_layers, max_layers, input_sizes, masked, num_classes):
    cells = cell_specs() if cells is None else _check_strategy("cells", cells, "CellSpec "
                                                               "(e.g. cell_specs(...))")
    min_layers = _check_int("min_layers", min_layers, min_value=1)
    max_layers = _check_int("max_layers", max_layers, min_value=1)
    _check_bounds("min_layers", min_layers, "max_layers", max_layers)
    return dict(
        cells=st.lists(cells, min_size=min_layers, max_size=max_layers).map(tuple),
        input_sizes=_int_choices("input_sizes", input_sizes, default=_DEFAULT_INPUT_SIZES,
                                 min_value=1),
        masked=_check_bool("masked", masked, allow_none=True),
        num_classes=_num_classes_strategy(num_classes),
    )


def _draw_spec(draw, options, bidirectional):
    return RNNSpec(
        cells=draw(options["cells"]),
        input_size=draw(options["input_sizes"]),
        bidirectional=bidirectional,
        masked=draw(st.booleans()) if options["masked"] is None else options["masked"],
        num_classes=draw(options["num_classes"]),
    )


def rnn_specs(*, cells=None, min_layers=1, max_layers=1, input_sizes=None, bidirectional=None,
              masked=None, num_classes=None) -> st.SearchStrategy:
    """A TF1 RNN pipeline: a strategy of :class:`modern.models.RNNSpec`.

    Args:
        cells: a strategy of ``CellSpec`` drawn once per layer; ``None``: ``cell_specs()``.
        min_layers, max_layers: how many cells; more than one is a ``MultiRNNCell`` stack.
        input_sizes: the input depth: an int, a sequence of ints to draw from, or a
            strategy; ``None`` draws from 1..4.
        bidirectional, masked: ``True``/``False`` fixes it; ``None`` draws it.
        num_classes: the readout ``outputs[-1] @ W + b``: an int fixes its size,
            ``None`` draws no readout or 1..4 classes, a strategy of ``int | None``
            draws from it (``st.none()``: never a readout).
    """
    options = _validated_spec_options(cells, min_layers, max_layers, input_sizes, masked,
                                      num_classes)
    bidirectional = _check_bool("bidirectional", bidirectional, allow_none=True)

    @st.composite
    def draw_spec(draw):
        direction = draw(st.booleans()) if bidirectional is None else bidirectional
        return _draw_spec(draw, options, direction)

    return draw_spec()


def pipelines(*, runners=RUNNERS, cells=None, min_layers=1, max_layers=1, input_sizes=None,
              masked=None, num_classes=None) -> st.SearchStrategy:
    """``(RNNSpec, runner)``: a TF1 pipeline and the runner that unrolls it.

    ``runners`` are names of ``static_rnn``, ``dynamic_rnn``, ``static_bidirectional_rnn``
    and ``bidirectional_dynamic_rnn`` (shrinks towards the first); the spec is
    bidirectional exactly when the runner is. The other options are those of
    :func:`rnn_specs`. The pair feeds :func:`tools.testing.assert_spec_equivalent` and
    :func:`tools.proof.pipelines.build_legacy_graph`.
    """
    runners = _check_choices("runners", runners, RUNNERS, example="dynamic_rnn")
    options = _validated_spec_options(cells, min_layers, max_layers, input_sizes, masked,
                                      num_classes)

    @st.composite
    def draw_pipeline(draw):
        runner = draw(st.sampled_from(runners))
        return _draw_spec(draw, options, runner in BIDIRECTIONAL_RUNNERS), runner

    return draw_pipeline()


def rnn_inputs(*, batch_size, steps, input_size, dtype="float32",
               elements=None) -> st.SearchStrategy:
    """A numpy array ``[batch_size, steps, input_size]`` of ``dtype`` (a float dtype).

    ``elements`` is a strategy of the values; ``None`` draws finite floats in
    ``[-2, 2]`` of the dtype's width, without subnormals (TF kernels may flush
    them to zero on one side only).
    """
    batch_size = _check_int("batch_size", batch_size, min_value=1)
    steps = _check_int("steps", steps, min_value=1)
    input_size = _check_int("input_size", input_size, min_value=1)
    try:
        np_dtype = np.dtype(dtype)
    except TypeError:
        np_dtype = None
    if np_dtype is None or np_dtype.kind != "f" or np_dtype.itemsize not in (2, 4, 8):
        raise InvalidArgument(f"dtype must be a floating dtype: 'float16', 'float32' or "
                              f"'float64', got {dtype!r}")
    if elements is None:
        elements = st.floats(-2.0, 2.0, width=8 * np_dtype.itemsize, allow_subnormal=False)
    else:
        _check_strategy("elements", elements, "floats (e.g. st.floats(-1, 1, width=32))")
    return hnp.arrays(np_dtype, (batch_size, steps, input_size), elements=elements)


def sequence_lengths(*, batch_size, steps, include_extremes=True) -> st.SearchStrategy:
    """An int32 array ``[batch_size]`` of TF1 ``sequence_length`` values in ``[0, steps]``.

    With ``include_extremes`` (and ``batch_size >= 2``) one row has length 0 and another
    the full ``steps``, the two cases where masked RNNs most often differ; with one row
    any length may be drawn.
    """
    batch_size = _check_int("batch_size", batch_size, min_value=1)
    steps = _check_int("steps", steps, min_value=1)
    include_extremes = _check_bool("include_extremes", include_extremes, allow_none=False)

    @st.composite
    def draw_lengths(draw):
        values = draw(st.lists(st.integers(0, steps), min_size=batch_size,
                               max_size=batch_size))
        if include_extremes and batch_size >= 2:
            empty = draw(st.integers(0, batch_size - 1))
            full = draw(st.integers(0, batch_size - 2))
            full += full >= empty
            values[empty], values[full] = 0, steps
        return np.asarray(values, np.int32)

    return draw_lengths()
