"""Fuzzing the compat porter with hypothesmith-generated programs.

Properties, for any syntactically valid program (with or without TF imports and
``tf.contrib`` / 0.x uses spliced in front): porting never raises, the result parses,
and porting the result again changes nothing. The number of programs tried is printed
at the end of the module (``-s`` or the terminal summary shows it).

Examples per property: ``PORTER_FUZZ_EXAMPLES`` (default 20 in the ``fast`` profile,
5x the profile's ``max_examples`` in others, e.g. ``HYPOTHESIS_PROFILE=thorough``). The
``fast`` profile draws the same programs every run (``derandomize``); others draw new ones.
"""
import ast
import os

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.porter import port_source

_PROFILE = settings()
EXAMPLES = int(os.environ.get(
    "PORTER_FUZZ_EXAMPLES",
    20 if _PROFILE.max_examples <= 12 else 5 * _PROFILE.max_examples,
))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    # as the profile: the fast one (the default run, CI) tries the same programs every
    # run (random ones made this module cost 3 to 25 CPU-s from run to run)
    derandomize=_PROFILE.derandomize,
)

PREFIXES = st.sampled_from([
    "",
    "import tensorflow as tf\n",
    "import tensorflow as tf\nx = tf.contrib.slim.flatten(tf.split(0, 2, y))\n",
    "from tensorflow.contrib import rnn\nimport tensorflow\nc = rnn.LSTMCell(3)\n",
    "import legacy_compat.v1 as tf\n# rnn-migrate: tf.layers.conv2d is not available with Keras 3\n"
    "z = tf.layers.conv2d\n",
])

TRIED = {"programs": 0, "ported": 0, "parse_errors": 0}


@pytest.fixture(scope="module", autouse=True)
def _print_count(request):
    yield
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n[porter fuzz] {TRIED['programs']} programs tried: {TRIED['ported']} ported, "
              f"{TRIED['parse_errors']} reported as parse errors (max_examples={EXAMPLES} "
              "per property)")


def check(source):
    TRIED["programs"] += 1
    result = port_source(source)
    if result.error is not None:
        TRIED["parse_errors"] += 1
        assert result.code == source and result.exit_code == 2
        return
    TRIED["ported"] += 1
    ast.parse(result.code)
    again = port_source(result.code)
    assert again.error is None
    assert again.code == result.code
    assert len(again.unconverted) == len(result.unconverted)


@FUZZ
# st.deferred: hypothesmith builds its strategies (the Python grammar) when a test first
# draws, not when xdist's workers collect this module (~4 CPU-s each)
@given(prefix=PREFIXES, body=st.deferred(hypothesmith.from_grammar))
def test_grammar_programs(prefix, body):
    check(prefix + body)


@FUZZ
@given(prefix=PREFIXES, body=st.deferred(hypothesmith.from_node))
def test_node_programs(prefix, body):
    check(prefix + body)
