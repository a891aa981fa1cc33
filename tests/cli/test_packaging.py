"""The runtime never needs a test-only package (tf-keras, pytest, hypothesmith).

A fresh `pip install .` (the README's first command) has no test extra; everything the
CLI and the demo import must work without it.
"""
from tests.support.helpers import run_python

RUNTIME_MODULES = ["legacy_compat.contrib.rnn", "legacy_compat.examples.tutorials.mnist",
                   "modern", "tools.proof.registry", "tools.proof.harness", "tools.porter",
                   "tools.porter.keras.writer", "tools.convert", "tools.docs.api_map", "tools.demo",
                   "tools.cli"]


def test_runtime_modules_import_without_test_only_packages():
    code = ("import sys\n"
            "for blocked in ('tf_keras', 'pytest', 'hypothesmith', '_pytest'):\n"
            "    sys.modules[blocked] = None  # any import of it raises ImportError\n"
            "import importlib\n"
            f"for name in {RUNTIME_MODULES!r}:\n"
            "    importlib.import_module(name)\n"
            "print('ok')\n")
    assert run_python(["-c", code], preloaded=True).stdout.strip().endswith("ok")
