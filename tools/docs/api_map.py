"""The API-mapping reference (``docs/API_MAPPING.md``), generated from the registry only.

Every fact in the generated text is a field of a :class:`tools.proof.registry.MigrationPair`
or of one of its :class:`tools.proof.limitations.Limitation` objects; this module only lays
them out. The output is deterministic (registry order, no dates), so the committed file
can be compared with :func:`render` (``rnn-migrate api-map --check``,
``tests/cli/test_cli_api_map.py``).
"""
import os

DEFAULT_PATH = os.path.join("docs", "API_MAPPING.md")
REGENERATE = "rnn-migrate api-map -o docs/API_MAPPING.md"
LIMITATION_TEST = "tests/proof/test_limitations.py::test_limitation_is_demonstrated[{}]"


def _cell(text):
    """Text for a markdown table cell: no pipes or newlines."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text):
    return f"`{text}`" if "`" not in text else text


def _anchor(name):
    out = "".join(ch if ch.isalnum() or ch in " -_" else "" for ch in name.lower())
    return out.replace(" ", "-")


def limitation_test_id(limitation):
    return LIMITATION_TEST.format(limitation.name)


def _status(pair):
    if pair.exact:
        return "exact"
    if pair.configs is None and pair.equivalence is None:
        return "no generated model"
    return "equivalent, with known non-equivalences"


def render(pairs=None) -> str:
    """The whole reference as markdown, from ``pairs`` (default: ``tools.proof.registry.PAIRS``)."""
    if pairs is None:
        from tools.proof.registry import PAIRS as pairs
    lines = [
        "# API mapping: TF1 RNN APIs -> Keras 3",
        "",
        "<!-- Generated from tools/proof/registry.py and tools/proof/limitations.py by "
        f"`{REGENERATE}`. Do not edit by hand: edit the registry and regenerate. -->",
        "",
        "Each TF1 API, the TensorFlow versions that had it, its Keras 3 equivalent, how the "
        "weights move, the settings that must change, its known non-equivalences and the "
        "tests that prove it. Equivalence is measured by `tests/proof/test_pairs.py` (outputs, "
        "gradients, training trajectories, within each pair's tolerances); every known "
        "non-equivalence is measured by `tests/proof/test_limitations.py`.",
        "",
        "## Summary",
        "",
        "| pair | Keras 3 | status | known non-equivalences |",
        "|---|---|---|---|",
    ]
    for pair in pairs:
        known = ", ".join(f"`{lim.name}`" for lim in pair.limitations) or "none"
        lines.append(f"| [{_cell(pair.name)}](#{_anchor(pair.name)}) | {_cell(pair.keras_api)} "
                     f"| {_status(pair)} | {_cell(known)} |")
    lines.append("")
    for pair in pairs:
        lines += _render_pair(pair)
    return "\n".join(lines).rstrip("\n") + "\n"


def _weight_map(keras_side):
    function = keras_side.weight_map
    if function is None:
        return keras_side.weight_map_doc
    return f"{keras_side.weight_map_doc} (`{function.__module__}.{function.__qualname__}`)"


def _render_pair(pair):
    tol = pair.tolerance
    lines = [f"## {pair.name}", "",
             f"- **TF1 API:** {_code(pair.tf1_api)}",
             f"- **TF versions:** {pair.tf_versions}",
             "- **legacy_compat exports:** "
             + (", ".join(f"`{n}`" for n in pair.legacy_names) or "none (a usage pattern)"),
             f"- **Keras 3:** {pair.keras_api}",
             f"- **Weight mapping:** {_weight_map(pair.keras)}",
             "- **Settings that must change:**" + ("" if pair.keras_settings else " none")]
    lines += [f"  - {setting}" for setting in pair.keras_settings]
    if pair.equivalence is not None:
        checks = (f"its own proof ({pair.equivalence.__module__}."
                  f"{pair.equivalence.__qualname__}): each check within the pair's tolerance "
                  f"(outputs {tol.outputs:g}, gradients {tol.gradients:g}, training "
                  f"{tol.training:g}; max abs difference)")
    elif pair.configs is None:
        checks = "no generated configurations (no Keras model is built for it)"
    else:
        skipped = sorted(pair.skipped_checks)
        checks = (f"outputs <= {tol.outputs:g}, gradients <= {tol.gradients:g}, training "
                  f"<= {tol.training:g} (max abs difference, float32)"
                  + (f"; checks excused: {', '.join(skipped)}" if skipped else ""))
    lines += [f"- **Status:** {_status(pair)}",
              f"- **Checked:** {checks}", ""]
    if pair.limitations:
        lines += ["Known non-equivalences:", "",
                  "| name | what differs | why |", "|---|---|---|"]
        lines += [f"| `{lim.name}` | {_cell(lim.description)} | {_cell(lim.reason)} |"
                  for lim in pair.limitations]
        lines.append("")
    lines += ["Proof:", "", f"- `{pair.proof}`"]
    lines += [f"- `{limitation_test_id(lim)}`" for lim in pair.limitations]
    lines.append("")
    return lines


def write(path=DEFAULT_PATH, text=None):
    text = render() if text is None else text
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return text


def check(path=DEFAULT_PATH):
    """None if ``path`` holds exactly :func:`render`'s text, else a message saying why not."""
    expected = render()
    if not os.path.exists(path):
        return f"{path} does not exist; generate it with: {REGENERATE}"
    with open(path, encoding="utf-8", newline="") as handle:
        actual = handle.read()
    if actual == expected:
        return None
    import difflib

    diff = list(difflib.unified_diff(actual.splitlines(), expected.splitlines(),
                                     f"{path} (committed)", f"{path} (generated)", lineterm="", n=1))
    shown = "\n".join(diff[:40]) + ("\n..." if len(diff) > 40 else "")
    return f"{path} is stale (it differs from the registry); regenerate it with: {REGENERATE}\n{shown}"
