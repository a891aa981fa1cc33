"""The project's TF1 seed programs against their Keras 3 ports: test accuracy at the same steps.

For each TF1 seed program of ``../shared/seeds`` (README there), ``rnn-migrate port``'s
own code (:func:`tools.porter.engine.port_path`) writes its ``--to compat`` port (the TF1
program on legacy_compat) and its ``--to keras`` port. Both run as the programs they are,
each in its own process, ``--runs`` times: the same hyperparameters and number of steps,
the same MNIST batches order source (``next_batch``), each side from its own random initial
weights (the seeds set no graph seed, so every run draws new ones: the spread over runs is
the noise the comparison is judged against).

The TF1 programs score on their first 128 test images; so that both sides are scored on
the same images, the benchmark's copy of each compat port sets ``test_len = 10000`` (the
one change, checked to be there), which is the whole test set the Keras port scores on.

Prints a table and writes it into ``BENCHMARKS.md`` (``--out``; one block, replaced when
the benchmark runs again)::

    python benchmarks/seed_ports.py                # 3 runs per side, 2 at a time
    python benchmarks/seed_ports.py --runs 5 --jobs 1 --seeds s002a_contrib_lstm.py
"""
import argparse
import concurrent.futures
import datetime
import io
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEEDS_DIR = ROOT.parent / "shared" / "seeds"
TF1_SEEDS = ("s000_tf8_rnn_basiclstm.py", "s001_py2_mnist_rnn.py", "s002a_contrib_lstm.py",
             "s002b_contrib_bilstm.py")
SECTION = "## Seed programs: TF1 vs their Keras 3 ports (`benchmarks/seed_ports.py`)"
MARK = "seed-ports"
_ACCURACY = re.compile(r"Testing Accuracy:?\s*([0-9]*\.[0-9]+)")


def port_both(seed, directory):
    """``(compat port, keras port)`` paths of the seed program ``seed`` in ``directory``."""
    from tools.porter import engine

    paths = []
    for target in ("compat", "keras"):
        out = directory / target / seed
        out.parent.mkdir(parents=True, exist_ok=True)
        code = engine.port_path(SEEDS_DIR / seed, out=out, target=target, stdout=io.StringIO())
        if code != engine.EXIT_OK:
            raise RuntimeError(f"{seed}: port --to {target} exited {code}")
        paths.append(out)
    compat = paths[0].read_text()
    if len(re.findall(r"^\s*test_len = 128$", compat, re.M)) != 1:
        raise RuntimeError(f"{seed}: expected one `test_len = 128` in the compat port")
    paths[0].write_text(re.sub(r"^(\s*)test_len = 128$", r"\1test_len = 10000", compat,
                               flags=re.M))
    return paths


def run(path):
    """Run one program -> (test accuracy, seconds)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(path)], cwd=str(path.parent), env=env,
                          capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - started
    found = _ACCURACY.findall(proc.stdout)
    if proc.returncode != 0 or not found:
        raise RuntimeError(f"{path} failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}"
                           f"\n{proc.stderr[-2000:]}")
    return float(found[-1]), seconds


def _steps(seed):
    from tools.porter import py2
    from tools.porter.keras.recognize import recognize

    source = (SEEDS_DIR / seed).read_text()
    try:
        compile(source, seed, "exec")
    except SyntaxError:
        source = py2.to_python3(source)
    r = recognize(source, filename=seed)
    return r.training_steps, r.batch_size


def _summary(values):
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, sd


def measure(seeds, runs, jobs):
    """{seed: {"steps", "batch", "tf1": [(acc, s)], "keras": [(acc, s)]}}."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="seed-ports-") as tmp:
        work = []
        for seed in seeds:
            compat, keras_port = port_both(seed, Path(tmp) / Path(seed).stem)
            steps, batch = _steps(seed)
            results[seed] = {"steps": steps, "batch": batch, "tf1": [], "keras": []}
            work += [(seed, side, path) for _ in range(runs)
                     for side, path in (("tf1", compat), ("keras", keras_port))]
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(run, path): (seed, side) for seed, side, path in work}
            for future in concurrent.futures.as_completed(futures):
                seed, side = futures[future]
                accuracy, seconds = future.result()
                results[seed][side].append((accuracy, seconds))
                print(f"  {seed} {side}: test accuracy {accuracy:.4f} ({seconds:.0f} s)",
                      flush=True)
    return results


def table(results, runs, jobs):
    lines = [
        f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} CPU cores "
        f"({platform.platform()}), Python {platform.python_version()}; {runs} runs per side, "
        f"{jobs} at a time. Accuracy on all 10,000 MNIST test images (the TF1 program's "
        "`test_len = 128` set to 10000 in the benchmark's copy); each run from its own "
        "random initial weights. *within noise*: |difference of the means| <= 2 standard "
        "errors of that difference (from the two sides' run-to-run spreads).",
        "",
        "| seed program | steps x batch | TF1 (legacy_compat) mean ± sd | Keras 3 port mean ± sd "
        "| difference | within noise | s per run TF1 / Keras |",
        "|---|---|---|---|---|---|---|",
    ]
    for seed, result in results.items():
        tf1 = [a for a, _ in result["tf1"]]
        keras = [a for a, _ in result["keras"]]
        (m1, s1), (m2, s2) = _summary(tf1), _summary(keras)
        error = ((s1 ** 2 + s2 ** 2) / runs) ** 0.5
        verdict = "yes" if abs(m2 - m1) <= 2 * error else "no"
        seconds = "/".join(f"{statistics.fmean(s for _, s in result[side]):.0f}"
                           for side in ("tf1", "keras"))
        lines.append(
            f"| `{seed}` | {result['steps']} x {result['batch']} | {m1:.4f} ± {s1:.4f} "
            f"({', '.join(f'{a:.4f}' for a in sorted(tf1))}) | {m2:.4f} ± {s2:.4f} "
            f"({', '.join(f'{a:.4f}' for a in sorted(keras))}) | {m2 - m1:+.4f} | {verdict} "
            f"| {seconds} |")
    return "\n".join(lines) + "\n"


def write_block(out, block, command):
    from blocks import write_block as write

    write(out, SECTION, f"<!-- {MARK} -->", f"<!-- /{MARK} -->", f"`{command}`\n\n{block}")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per side (default 3)")
    parser.add_argument("--jobs", type=int, default=2, help="programs at a time (default 2)")
    parser.add_argument("--seeds", default=",".join(TF1_SEEDS),
                        help=f"comma list of {', '.join(TF1_SEEDS)}")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args(argv)
    seeds = [s for s in args.seeds.split(",") if s]
    unknown = [s for s in seeds if s not in TF1_SEEDS]
    if unknown:
        parser.error(f"unknown seed program(s) {unknown}; expected some of {list(TF1_SEEDS)}")
    if args.runs < 2:
        parser.error("--runs must be at least 2 (the run-to-run spread is the noise)")
    if not SEEDS_DIR.is_dir():
        parser.error(f"{SEEDS_DIR} (the project's seed programs) is not beside this checkout")
    results = measure(seeds, args.runs, args.jobs)
    block = table(results, args.runs, args.jobs)
    print(block)
    write_block(args.out, block, "python benchmarks/seed_ports.py " + " ".join(argv))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
