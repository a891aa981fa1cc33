"""``rnn-migrate api-map``: the API-mapping reference is generated from the registry only.

The committed ``docs/API_MAPPING.md`` must equal the generated text; when the registry
changes, regenerate it with ``rnn-migrate api-map -o docs/API_MAPPING.md``.
"""
import os

import pytest

from tools.docs import api_map
from tools import cli
from tools.cli import output
from tools.proof import registry
from tools.proof.limitations import ALL as ALL_LIMITATIONS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMMITTED = os.path.join(ROOT, "docs", "API_MAPPING.md")


def _committed():
    with open(COMMITTED, encoding="utf-8", newline="") as handle:
        return handle.read()


def test_committed_reference_is_up_to_date():
    assert os.path.exists(COMMITTED), f"missing; generate it with: {api_map.REGENERATE}"
    assert _committed() == api_map.render(), (
        f"docs/API_MAPPING.md is stale; regenerate it with: {api_map.REGENERATE}")


def test_render_is_deterministic():
    assert api_map.render() == api_map.render()


def test_every_pair_and_every_field_appears():
    text = api_map.render()
    for pair in registry.PAIRS:
        assert f"\n## {pair.name}\n" in text
        section = text.split(f"\n## {pair.name}\n", 1)[1].split("\n## ", 1)[0]
        for fact in (pair.tf1_api, pair.tf_versions, pair.keras_api, pair.keras.weight_map_doc,
                     pair.proof, *pair.keras_settings, *pair.legacy_names):
            assert fact in section, (pair.name, fact)
        for limitation in pair.limitations:
            assert f"`{api_map.limitation_test_id(limitation)}`" in section
            assert limitation.name in section


def test_every_limitation_appears_with_reason_and_test():
    text = api_map.render()
    for limitation in ALL_LIMITATIONS:
        for fact in (limitation.description, limitation.reason):
            assert api_map._cell(fact) in text, (limitation.name, fact)
        assert (f"tests/proof/test_limitations.py::test_limitation_is_demonstrated[{limitation.name}]"
                in text)


def test_output_file(tmp_path, capsys):
    out = tmp_path / "sub" / "API.md"
    assert cli.main(["api-map", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == api_map.render()
    assert f"wrote {out}" in capsys.readouterr().out


def test_stdout_without_output(capsys):
    assert cli.main(["api-map"]) == 0
    assert capsys.readouterr().out == api_map.render()


def test_check_passes_on_fresh_file(tmp_path, capsys):
    out = tmp_path / "API.md"
    cli.main(["api-map", "-o", str(out)])
    capsys.readouterr()
    assert cli.main(["api-map", "--check", "-o", str(out)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_check_fails_on_stale_file_and_never_writes(tmp_path, capsys):
    out = tmp_path / "API.md"
    stale = api_map.render().replace("keras.layers.SimpleRNN", "keras.layers.Stale", 1)
    out.write_text(stale, encoding="utf-8")
    assert cli.main(["api-map", "--check", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "stale" in err and "rnn-migrate api-map -o docs/API_MAPPING.md" in err
    assert "keras.layers.Stale" in err  # the diff is shown
    assert out.read_text(encoding="utf-8") == stale


def test_check_fails_on_missing_file(tmp_path, capsys):
    out = tmp_path / "missing.md"
    assert cli.main(["api-map", "--check", "-o", str(out)]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not out.exists()


def test_check_of_committed_file(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert cli.main(["api-map", "--check"]) == 0


@pytest.mark.parametrize("argv", [["--help"], ["api-map", "--help"]])
def test_help(argv, capsys):
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "usage: rnn-migrate" in out
    if "api-map" in argv:
        assert "--check" in out and "--output" in out


def test_no_command_is_a_usage_error(capsys):
    assert cli.main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_external_subcommands_are_picked_up(tmp_path, monkeypatch, capsys):
    (tmp_path / "fake_rnn_migrate_ext.py").write_text(
        "HELP = DESCRIPTION = 'a colleague\\'s command'\n"
        "def add_arguments(parser):\n"
        "    pass\n"
        "def run(args):\n"
        "    return 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "SUBCOMMANDS", {
        "fake": "fake_rnn_migrate_ext",
        "port": "tools.no_such_package.cli_port",  # absent: skipped
        "demo": "tools.no_such_module"})
    assert cli.main(["fake"]) == 7


def test_external_subcommand_bug_is_not_hidden(tmp_path, monkeypatch):
    (tmp_path / "broken_rnn_migrate_ext.py").write_text("import no_such_module_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "SUBCOMMANDS", {"broken": "broken_rnn_migrate_ext"})
    with pytest.raises(ImportError):
        cli.main(["api-map", "--help"])


def test_rich_tables_render():
    import io

    pytest.importorskip("rich")
    stream = io.StringIO()
    printer = output.Printer(stream, rich=True)
    printer.table("Title", ["a", "b"], [["x", "1"]])
    out = stream.getvalue()
    assert "Title" in out and "x" in out


def test_plain_text_when_not_a_tty():
    import io

    stream = io.StringIO()
    printer = output.Printer(stream)
    assert not printer.rich
    printer.table("T", ["col", "other"], [["v", "w"]])
    assert stream.getvalue().splitlines() == ["T", "col  other", "---  -----", "v    w"]
