"""``rnn-migrate demo``: the bundled tutorial ported, both sides trained, table and PNG."""
import re

import pytest

from tools import cli, demo

SMALL = ["demo", "--steps", "20", "--train-size", "2000", "--test-size", "500"]


def _row(out, label):
    lines = [line for line in out.splitlines() if line.startswith(label)]
    assert lines, f"no table line starting with {label!r} in:\n{out}"
    return lines[0]


def test_demo_small_run_prints_the_table_and_writes_the_png(tmp_path, capsys):
    png = tmp_path / "c.png"
    code = cli.main(SMALL + ["--png", str(png)])
    out = capsys.readouterr().out
    assert code == 0, out

    assert "Legacy tutorial:" in out and "mnist_lstm_static_rnn.py" in out
    assert "TF1 graph (legacy_compat)" in out and "Keras 3 (modern)" in out
    accuracy = _row(out, "test accuracy (500 images)")
    values = [float(v) for v in re.findall(r"\b[01]\.\d{4}\b", accuracy)]
    assert len(values) == 2 and all(0.0 <= v <= 1.0 for v in values), accuracy
    loss = _row(out, "loss at step 20")
    assert len(re.findall(r"\b\d+\.\d{4}\b", loss)) == 2, loss
    before = _row(out, "max |Δ| outputs before training")
    assert float(before.split()[-1]) <= demo.FORWARD_TOLERANCE
    _row(out, "ms per step (steady state)")
    _row(out, "wall time, train + eval (s)")
    verdict = _row(out, "Verdict:")
    assert "EQUIVALENT" in verdict and "loss curves max |Δ|" in verdict

    data = png.read_bytes()
    assert data.startswith(demo.PNG_MAGIC)
    assert len(data) > 1024
    assert demo._is_demo_png(png)  # so a later run may overwrite it


def test_fallback_reads_the_tutorial_constants_without_running_it():
    source = demo.tutorial_source()
    assert demo.tutorial_constants(source) == {
        "num_hidden": 128, "timesteps": 28, "num_input": 28, "num_classes": 10,
        "learning_rate": 0.001, "batch_size": 128, "forget_bias": 1.0}

    from modern.models import CellSpec, RNNSpec

    pipeline = demo.fallback_pipeline(source)
    assert pipeline.spec == RNNSpec(cells=(CellSpec("BasicLSTMCell", 128, forget_bias=1.0),),
                                    input_size=28, num_classes=10)
    assert (pipeline.runner, pipeline.time_steps, pipeline.learning_rate,
            pipeline.batch_size, pipeline.source) == ("static_rnn", 28, 0.001, 128, "fallback")


def test_fallback_agrees_with_the_recogniser_when_it_is_installed():
    source = demo.tutorial_source()
    recognised, _, note = demo.recognised_pipeline(source, demo.TUTORIAL_PATH.name)
    if recognised is None:
        pytest.skip(f"recogniser unavailable: {note}")
    fallback = demo.fallback_pipeline(source)
    assert recognised.spec == fallback.spec
    assert (recognised.runner, recognised.time_steps, recognised.learning_rate,
            recognised.batch_size) == (fallback.runner, fallback.time_steps,
                                       fallback.learning_rate, fallback.batch_size)


def test_without_the_porter_the_recogniser_step_reports_why(monkeypatch):
    monkeypatch.setattr(demo, "_module_exists", lambda name: False)
    source = demo.tutorial_source()
    pipeline, found, note = demo.recognised_pipeline(source, "t.py")
    assert pipeline is None and found is None and "not installed" in note
    ported, changes, unconverted, note = demo.port_tutorial(source, "t.py")
    assert ported is None and "not installed" in note


def test_fallback_names_missing_constants():
    with pytest.raises(demo.DemoError, match="num_hidden"):
        demo.fallback_pipeline("timesteps = 28\nnum_input = 28\n")


@pytest.mark.parametrize("options, message", [
    (["--steps", "0"], "positive integer"),
    (["--steps", "abc"], "positive integer"),
    (["--train-size", "70000"], "exceeds the 60000"),
    (["--test-size", "20000"], "exceeds the 10000"),
    (["--train-size", "100", "--batch-size", "128"], "exceeds --train-size"),
    (["--png", ""], "needs a file name"),
])
def test_bad_options_fail_with_a_clear_message(options, message, tmp_path, capsys,
                                               monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = cli.main(["demo"] + options)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert not (tmp_path / demo.DEFAULT_PNG).exists()


def test_refuses_to_overwrite_a_file_that_is_not_a_demo_output(tmp_path, capsys):
    png = tmp_path / "mine.png"
    png.write_bytes(b"not the demo's")
    assert cli.main(SMALL + ["--png", str(png)]) == 2
    assert "--force" in capsys.readouterr().err
    assert png.read_bytes() == b"not the demo's"

    out_dir = tmp_path / "ported"
    out_dir.mkdir()
    (out_dir / demo.PORTED_NAME).write_text("mine\n")
    assert cli.main(SMALL + ["--png", str(tmp_path / "c.png"), "--out-dir", str(out_dir)]) == 2
    assert "not a previous demo output" in capsys.readouterr().err
    assert (out_dir / demo.PORTED_NAME).read_text() == "mine\n"


def test_missing_tutorial_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(demo, "TUTORIAL_PATH", tmp_path / "gone.py")
    assert cli.main(SMALL + ["--png", str(tmp_path / "c.png")]) == 1
    assert "bundled legacy tutorial is missing" in capsys.readouterr().err


def test_progress_bars_are_drawn_on_a_terminal_and_silent_in_plain_text():
    import io

    from tools.cli.output import Printer

    plain = io.StringIO()
    with Printer(stream=plain, rich=False).progress({"TF1": 3, "Keras": 3}) as advance:
        for step in (1, 2, 3):
            advance("TF1", step)
    assert plain.getvalue() == ""

    terminal = io.StringIO()
    with Printer(stream=terminal, rich=True).progress({"TF1": 3, "Keras": 3}) as advance:
        for step in (1, 2, 3):
            advance("TF1", step)
            advance("Keras", step)
    assert "TF1" in terminal.getvalue() and "3/3" in terminal.getvalue()
