"""Helpers shared by the test modules.

Whole legacy programs and anything that imports ``legacy_compat.v1`` switch the
process to TF1 graph mode (eager execution off), which would break every Keras 3
test in the same process (see ../shared/docs/tf1-keras-semantics.md section 14).
They therefore run in a fresh Python subprocess.
"""
import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_python(args, *, cwd=None, timeout=600, env=None, check=True, preloaded=False):
    """Run ``python <args...>`` in a subprocess with the repo importable.

    ``args`` is a list of command-line arguments after the interpreter (for
    example ``["-c", code]`` or ``[str(script_path)]``). Returns the
    ``subprocess.CompletedProcess`` (text mode). With ``check=True`` a non-zero
    exit raises AssertionError showing stdout and stderr. ``preloaded=True``: the
    program may run in a child forked from a process that has imported TensorFlow
    (see below); for programs whose test is not about what importing does.
    """
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + ([full_env["PYTHONPATH"]] if full_env.get("PYTHONPATH") else [])
    )
    full_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    full_env.setdefault("PYTHONHASHSEED", "0")
    if env:
        full_env.update(env)
    server = _preloaded(full_env) if preloaded else None
    if server is not None:
        proc = server.run(args, cwd or REPO_ROOT, full_env, timeout)
    else:
        proc = subprocess.run([sys.executable, *args], cwd=cwd or REPO_ROOT, env=full_env,
                              capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"subprocess {args!r} exited with {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-6000:]}"
        )
    return proc


# ---------------------------------------------------------------------------------------
# run_python(..., preloaded=True): a child forked from a process that imported TensorFlow
# ---------------------------------------------------------------------------------------
# Starting Python and importing TensorFlow costs 4-5 CPU-seconds, more than most of the
# programs these tests run. A test that only needs a process of its own (graph mode, a
# program's own globals, a clean Keras registry) and does not test what importing does
# can ask for ``preloaded=True``: its program then runs in a child forked from a server
# process that imported TensorFlow (and of this project only the embedded MNIST reader,
# numpy and the standard library, with MNIST read: no Keras, nothing global) once. The
# child gets its own argv, sys.path[0], environment, working directory, stdin, stdout and
# stderr as ``python <args>`` would; its exit status is the program's. Environment
# variables read while TensorFlow is imported (and PYTHONHASHSEED) cannot change after
# the fork: a request that sets them differently runs in a plain subprocess instead.
_IMPORT_TIME_ENV = ("PYTHONHASHSEED", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS",
                    "CUDA_VISIBLE_DEVICES", "TF_XLA_FLAGS", "PYTHONWARNINGS")

_SERVER = r'''
import json, os, sys
import tensorflow  # noqa: F401  (the import every child would otherwise repeat)
try:  # the embedded MNIST, read and sha256-checked once for every child's input_data
    from legacy_compat import _mnist_data
    _mnist_data.load_mnist_npz()
except Exception:  # a checkout without it: each child reports that itself
    pass
sys.stdout.write("ready\n"); sys.stdout.flush()
base_path = list(sys.path[1:])
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        os.chdir(request["cwd"])
        os.environ.clear(); os.environ.update(request["env"])
        null = os.open(os.devnull, os.O_RDONLY); os.dup2(null, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
        args = request["args"]
        extra = [p for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p]
        code = 0
        try:
            import runpy
            if args[0] == "-c":
                sys.argv = ["-c", *args[2:]]
                sys.path[:] = ["", *extra, *base_path]
                exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
            elif args[0] == "-m":
                sys.argv = [args[1], *args[2:]]
                sys.path[:] = [request["cwd"], *extra, *base_path]
                runpy.run_module(args[1], run_name="__main__", alter_sys=True)
            else:
                sys.argv = list(args)
                sys.path[:] = [os.path.dirname(os.path.abspath(args[0])), *extra, *base_path]
                runpy.run_path(args[0], run_name="__main__")
        except SystemExit as exc:
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr); code = 1
        except BaseException:
            import traceback
            traceback.print_exc(); code = 1
        try:
            import atexit
            atexit._run_exitfuncs()
        finally:
            sys.stdout.flush(); sys.stderr.flush()
            os._exit(code)
    sys.stdout.write(f"pid {pid}\n"); sys.stdout.flush()
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(f"rc {os.waitstatus_to_exitcode(status)}\n"); sys.stdout.flush()
'''


class _ForkServer:
    """One per test process, started on first use, stopped at interpreter exit."""

    def __init__(self, env):
        self.env = env
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVER], cwd=REPO_ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1)
        if self._line(timeout=300) != "ready":
            raise RuntimeError("the preloaded Python server did not start")

    def _line(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise subprocess.TimeoutExpired("preloaded python", timeout)
        return self.proc.stdout.readline().strip()

    def accepts(self, env):
        return self.proc.poll() is None and all(
            env.get(key) == self.env.get(key) for key in _IMPORT_TIME_ENV)

    def run(self, args, cwd, env, timeout):
        with tempfile.TemporaryDirectory(prefix="preloaded-") as tmp:
            out, err = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
            self.proc.stdin.write(json.dumps({"args": list(args), "cwd": str(cwd), "env": env,
                                              "stdout": out, "stderr": err}) + "\n")
            self.proc.stdin.flush()
            pid = int(self._line(timeout=60).split()[1])
            try:
                returncode = int(self._line(timeout=timeout).split()[1])
            except subprocess.TimeoutExpired:
                os.kill(pid, signal.SIGKILL)
                self._line(timeout=60)
                raise subprocess.TimeoutExpired([sys.executable, *args], timeout)
            with open(out, encoding="utf-8", errors="replace") as f_out, \
                    open(err, encoding="utf-8", errors="replace") as f_err:
                return subprocess.CompletedProcess([sys.executable, *args], returncode,
                                                   f_out.read(), f_err.read())

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


_server = None


def _preloaded(env):
    global _server
    if _server is None or not _server.accepts(env):
        if _server is not None and _server.proc.poll() is None:
            return None  # a different import-time environment: a plain subprocess
        _server = _ForkServer(env)
        atexit.register(_server.close)
    return _server
