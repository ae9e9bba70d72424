"""Peak memory and speed of ``stance predict --input`` on a large CSV file.

    python benchmarks/bench_files.py [--rows 1000000]

Writes a CSV of ``--rows`` synthetic statements (corpus sentences with an id
and a source column), labels it with the installed ``stance`` command in a
child process, and prints the child's peak resident memory and throughput.
The baseline, measured in the same run, is the same command on a file a
hundred times smaller: if reading is truly streamed, peak memory barely
grows with the file (the ratio stays near 1), while a load-everything
reader would grow a hundredfold.
"""

import argparse
import csv
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

import stance


def _write(path, texts, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text", "source"])
        for i in range(rows):
            writer.writerow([i, texts[i % len(texts)], f"feed-{i % 17}"])


def _run(path, out):
    """Label ``path`` in a child process: (seconds, peak RSS of the child in MB)."""
    code = (
        # VmHWM: the child's own peak (ru_maxrss would include this parent's, as it survives exec).
        "import resource, sys; from stance.cli import main; status = main(sys.argv[1:]); "
        "peak = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')]; "
        "print(peak[0] if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(status)"
    )
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, "predict", "--input", path, "--output", out],
        capture_output=True, text=True, cwd="/",
    )
    seconds = time.perf_counter() - start
    if result.returncode:
        sys.exit(result.stderr)
    kilobytes = int(result.stderr.strip().splitlines()[-1])
    return seconds, kilobytes / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    texts = list(stance.load_corpus()["text"])
    small = max(args.rows // 100, 1)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        figures = {}
        for rows in (small, args.rows):
            path = os.path.join(tmp, f"in-{rows}.csv")
            _write(path, texts, rows)
            size = os.path.getsize(path) / 2**20
            seconds, peak = _run(path, os.path.join(tmp, "out.csv"))
            figures[rows] = peak
            print(f"{rows:>10,} rows ({size:,.0f} MB CSV): {seconds:7.1f} s, {rows / seconds:8,.0f} statements/s, peak memory {peak:6.0f} MB")
            os.remove(path)
    print(f"peak memory ratio, {args.rows:,} rows / {small:,} rows (baseline): {figures[args.rows] / figures[small]:.2f}x")


if __name__ == "__main__":
    main()
