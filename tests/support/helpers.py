"""Helpers shared by the test modules.

Whole legacy programs and anything that imports ``legacy_compat.v1`` switch the
process to TF1 graph mode (eager execution off), which would break every Keras 3
test in the same process (see ../shared/docs/tf1-keras-semantics.md section 14).
They therefore run in a fresh Python subprocess.
"""
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_python(args, *, cwd=None, timeout=600, env=None, check=True):
    """Run ``python <args...>`` in a subprocess with the repo importable.

    ``args`` is a list of command-line arguments after the interpreter (for
    example ``["-c", code]`` or ``[str(script_path)]``). Returns the
    ``subprocess.CompletedProcess`` (text mode). With ``check=True`` a non-zero
    exit raises AssertionError showing stdout and stderr.
    """
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + ([full_env["PYTHONPATH"]] if full_env.get("PYTHONPATH") else [])
    )
    full_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    full_env.setdefault("PYTHONHASHSEED", "0")
    if env:
        full_env.update(env)
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=cwd or REPO_ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"subprocess {args!r} exited with {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-6000:]}"
        )
    return proc
