"""The command line's layout: one module per subcommand, a light parser, the tutorial as package data."""
import argparse

import pytest

from tests.support.helpers import REPO_ROOT, run_python
from tools import cli, demo


@pytest.mark.parametrize("name", sorted(cli.SUBCOMMANDS))
def test_every_subcommand_module_has_the_command_interface(name):
    import importlib

    module = importlib.import_module(cli.SUBCOMMANDS[name])
    assert module.HELP.strip() and module.DESCRIPTION.strip()
    assert callable(module.add_arguments) and callable(module.run)
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)


def test_building_the_parser_imports_no_tensorflow_and_the_demo_no_cli():
    code = ("import sys\n"
            "import tools.demo\n"
            "assert not [m for m in sys.modules if m.startswith('tools.cli')], 'demo -> cli'\n"
            "from tools import cli\n"
            "cli.build_parser()\n"
            "heavy = [m for m in ('tensorflow', 'keras', 'numpy', 'matplotlib') if m in sys.modules]\n"
            "assert not heavy, heavy\n"
            "print('ok')\n")
    assert run_python(["-c", code]).stdout.strip().endswith("ok")


def test_the_tutorial_is_package_data_and_the_example_links_to_it():
    assert demo.TUTORIAL_PATH.is_file()
    assert demo.TUTORIAL_PATH.name == "mnist_lstm_static_rnn.py"
    example = REPO_ROOT / "examples" / "tf1" / "mnist_lstm_static_rnn.py"
    assert example.is_symlink()
    assert example.resolve() == (REPO_ROOT / "tools" / "demo" / "tutorial" / example.name)
    assert example.read_text(encoding="utf-8") == demo.tutorial_source()
