"""The benchmarks run and print every figure the README quotes.

Their numbers are not checked here (timings are not tests); this only keeps
the scripts from rotting between the runs that produce the README's figures.
"""

import pathlib
import subprocess
import sys

import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.skipif(not (BENCHMARKS / "bench_predict.py").is_file(), reason="benchmarks/ is not in this checkout")
def test_bench_predict_runs_and_reports_every_figure():
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_predict.py"), "--batch", "300", "--calls", "40", "--skip-word-only",
         "--skip-fasttext", "--cold-runs", "1"],
        capture_output=True,
        text=True,
        cwd="/",
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    for line in ["single statement", "where the time goes", "batch of 300", "cores   ratio",
                 "cold start", "size on disk", "peak memory", "fastText"]:
        assert line in out.stdout, f"{line!r} missing from:\n{out.stdout}"
