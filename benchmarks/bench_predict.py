"""Serving path against the scikit-learn pipeline, measured in one run.

    python benchmarks/bench_predict.py [--batch 100000]

Prints single-statement latency (median and p99 over 2,000 calls), batch
throughput (one core, and every core with ``n_jobs``), whole-process cold start (median of 5 runs each), model size on
disk and peak memory of a batch, each with the ratio to the scikit-learn
baseline measured here. Needs the installed stance package.
"""

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import stance
from stance.persistence import _bundled


def _latency(fn, texts, calls):
    for t in texts[:200]:
        fn([t])
    times = []
    for i in range(calls):
        t = texts[i % len(texts)]
        start = time.perf_counter()
        fn([t])
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[int(0.99 * len(times))]


def _throughput(fn, texts):
    start = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - start)


def _cold_start(code, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd="/")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# Peak resident memory of the child itself. ru_maxrss survives exec, so a
# child of this (by then large) process would report the parent's peak;
# Linux's VmHWM starts afresh with the new program.
_PEAK = (
    "\nimport resource\n"
    "try:\n    print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])\n"
    "except OSError:\n    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def _peak_rss_of(code):
    out = subprocess.run(
        [sys.executable, "-c", code + _PEAK],
        check=True,
        capture_output=True,
        text=True,
        cwd="/",
    )
    return int(out.stdout.split()[-1]) / 1024  # kB -> MB on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100_000, help="statements in the batch test")
    parser.add_argument("--calls", type=int, default=2000, help="single-statement calls")
    args = parser.parse_args()

    serving = stance.load()
    pipeline = stance.load_estimator().pipeline_
    corpus = list(stance.load_corpus()["text"])
    batch = (corpus * (args.batch // len(corpus) + 1))[: args.batch]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"model: {serving!r}")

    s_med, s_p99 = _latency(serving.predict_proba, corpus, args.calls)
    p_med, p_p99 = _latency(pipeline.predict_proba, corpus, args.calls)
    print(f"single statement  serving median {s_med * 1e6:8.0f} us  p99 {s_p99 * 1e6:8.0f} us")
    print(f"                  sklearn median {p_med * 1e6:8.0f} us  p99 {p_p99 * 1e6:8.0f} us   speed-up {p_med / s_med:5.1f}x")

    s_rate = _throughput(serving.predict_proba, batch)
    p_rate = _throughput(pipeline.predict_proba, batch)
    print(f"batch of {len(batch):,}  serving {s_rate:8.0f}/s  sklearn {p_rate:8.0f}/s   ratio {s_rate / p_rate:5.2f}x (1 core)")
    cores = os.cpu_count() or 1
    m_rate = _throughput(lambda texts: serving.predict_proba(texts, n_jobs=cores), batch)
    same = (serving.predict_proba(batch[:5000], n_jobs=cores) == serving.predict_proba(batch[:5000])).all()
    print(f"batch of {len(batch):,}  serving {m_rate:8.0f}/s on {cores} cores   ratio {m_rate / s_rate:5.2f}x over 1 core; identical: {same}")

    text = "The accusations are groundless."
    models = _bundled(".joblib")
    cold_serving = _cold_start(f"import stance; stance.predict({text!r})")
    cold_sklearn = _cold_start(f"import joblib; b = joblib.load({str(models)!r}); b['estimator'].pipeline_.predict_proba([{text!r}])")
    print(f"cold start        serving {cold_serving:6.2f} s  sklearn+joblib {cold_sklearn:6.2f} s   ratio {cold_serving / cold_sklearn:5.2f}")

    npz, jl = os.path.getsize(_bundled(".npz")), os.path.getsize(models)
    print(f"size on disk      serving {npz / 1e6:6.1f} MB  joblib {jl / 1e6:6.1f} MB")

    n = min(args.batch, 100_000)
    grow = f"texts = list(stance.load_corpus()['text']); texts = (texts * ({n} // len(texts) + 1))[:{n}]"
    rss_serving = _peak_rss_of(f"import stance; {grow}; stance.load().predict_proba(texts)")
    rss_sklearn = _peak_rss_of(f"import stance; {grow}; stance.load_estimator().pipeline_.predict_proba(texts)")
    print(f"peak memory ({n:,})  serving {rss_serving:6.0f} MB  sklearn {rss_sklearn:6.0f} MB")

    try:
        import fasttext  # noqa: F401
    except ImportError:
        print("fastText: not importable here; reference skipped")


if __name__ == "__main__":
    main()
