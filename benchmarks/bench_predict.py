"""Serving path against the scikit-learn pipeline, measured in one run.

    python benchmarks/bench_predict.py [--batch 100000]

Prints single-statement latency (median and p99 over 2,000 calls, after a
warm-up on other statements), where that time goes, batch throughput (one
core, and every core with ``n_jobs``), whole-process cold start (median of 5
runs each), model size on disk and peak memory of a batch, each with the
ratio to the scikit-learn baseline measured here. It then trains the same
model without character n-grams on the same corpus and measures its
single-statement latency too, so the cost of the character n-grams is on
record. Needs the installed stance package.
"""

import argparse
import collections
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import stance
from stance.persistence import _bundled


def _latency(fn, texts, calls, warm=()):
    """Median and p99 of ``fn([text])`` over ``calls`` statements, after
    calling it on the ``warm`` statements (not among those timed)."""
    for t in warm:
        fn([t])
    times = []
    for i in range(calls):
        t = texts[i % len(texts)]
        start = time.perf_counter()
        fn([t])
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[int(0.99 * len(times))]


def _stages(model, texts):
    """Median time of each stage of one statement in the serving path, timed
    in turn on each statement (not seen before, so new words cost what they
    cost)."""
    import numpy as np

    stages = collections.defaultdict(list)
    for text in texts:
        start = time.perf_counter()
        masked = model._masker(text) if model._masker is not None else text
        stages["masking"].append(time.perf_counter() - start)
        lowered = masked.lower()
        parts = []
        for block in model._blocks:
            start = time.perf_counter()
            parts.append(block.columns(lowered if block.lowercase else masked))
            stages[f"{block.analyzer} n-gram columns"].append(time.perf_counter() - start)
        start = time.perf_counter()
        model._score(np.concatenate(parts))
        stages["counting, TF-IDF and dot product"].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in stages.items()}


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
    parser.add_argument("--skip-word-only", action="store_true", help="do not train and time the word-only model")
    parser.add_argument("--skip-fasttext", action="store_true", help="leave out the fastText reference")
    parser.add_argument("--cold-runs", type=int, default=5, help="processes started per cold-start figure")
    args = parser.parse_args()

    serving = stance.load()
    estimator = stance.load_estimator()
    pipeline = estimator.pipeline_
    corpus = list(stance.load_corpus()["text"])
    batch = (corpus * (args.batch // len(corpus) + 1))[: args.batch]
    # Timed statements are not the warm-up ones, so words first seen while
    # timing cost what they would cost a user.
    timed, warm = corpus[0::2], corpus[1::2][:2000]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"model: {serving!r}")

    s_med, s_p99 = _latency(serving.predict_proba, timed, args.calls, warm)
    p_med, p_p99 = _latency(pipeline.predict_proba, timed, args.calls, warm)
    print(f"single statement  serving median {s_med * 1e6:8.0f} us  p99 {s_p99 * 1e6:8.0f} us")
    print(f"                  sklearn median {p_med * 1e6:8.0f} us  p99 {p_p99 * 1e6:8.0f} us   speed-up {p_med / s_med:5.1f}x")
    print("  where the time goes (median of each stage, on statements not timed above):")
    for name, seconds in _stages(serving, timed[args.calls : 2 * args.calls]).items():
        print(f"    {name:36s} {seconds * 1e6:6.0f} us")

    s_rate = _throughput(serving.predict_proba, batch)
    p_rate = _throughput(pipeline.predict_proba, batch)
    print(f"batch of {len(batch):,}  serving {s_rate:8.0f}/s  sklearn {p_rate:8.0f}/s   ratio {s_rate / p_rate:5.2f}x (1 core)")
    cores = os.cpu_count() or 1
    m_rate = _throughput(lambda texts: serving.predict_proba(texts, n_jobs=cores), batch)
    same = (serving.predict_proba(batch[:5000], n_jobs=cores) == serving.predict_proba(batch[:5000])).all()
    print(f"batch of {len(batch):,}  serving {m_rate:8.0f}/s on {cores} cores   ratio {m_rate / s_rate:5.2f}x over 1 core; identical: {same}")

    text = "The accusations are groundless."
    models = _bundled(".joblib")
    cold_serving = _cold_start(f"import stance; stance.predict({text!r})", args.cold_runs)
    cold_sklearn = _cold_start(f"import joblib; b = joblib.load({str(models)!r}); b['estimator'].pipeline_.predict_proba([{text!r}])", args.cold_runs)
    print(f"cold start        serving {cold_serving:6.2f} s  sklearn+joblib {cold_sklearn:6.2f} s   ratio {cold_serving / cold_sklearn:5.2f}")

    npz, jl = os.path.getsize(_bundled(".npz")), os.path.getsize(models)
    print(f"size on disk      serving {npz / 1e6:6.1f} MB  joblib {jl / 1e6:6.1f} MB")

    n = min(args.batch, 100_000)
    grow = f"texts = list(stance.load_corpus()['text']); texts = (texts * ({n} // len(texts) + 1))[:{n}]"
    rss_serving = _peak_rss_of(f"import stance; {grow}; stance.load().predict_proba(texts)")
    rss_sklearn = _peak_rss_of(f"import stance; {grow}; stance.load_estimator().pipeline_.predict_proba(texts)")
    print(f"peak memory ({n:,})  serving {rss_serving:6.0f} MB  sklearn {rss_sklearn:6.0f} MB")

    if not args.skip_word_only:
        params = estimator.get_params()
        params["char_ngram_range"] = None
        labels = list(stance.load_corpus()["label"])
        start = time.perf_counter()
        word_only = stance.StanceClassifier(**params).fit(corpus, labels)
        fit_s = time.perf_counter() - start
        w_serving = word_only.to_serving()
        w_med, w_p99 = _latency(w_serving.predict_proba, timed, args.calls, warm)
        wp_med, _ = _latency(word_only.pipeline_.predict_proba, timed, args.calls, warm)
        print(f"without char n-grams ({w_serving!r}, fitted in {fit_s:.0f} s):")
        print(f"single statement  serving median {w_med * 1e6:8.0f} us  p99 {w_p99 * 1e6:8.0f} us")
        print(f"                  sklearn median {wp_med * 1e6:8.0f} us   speed-up {wp_med / w_med:5.1f}x")

    try:
        if args.skip_fasttext:
            raise ImportError
        import fasttext
    except ImportError:
        print("fastText: not importable here (or --skip-fasttext); reference skipped")
    else:
        labels = list(stance.load_corpus()["label"])
        for name, subwords in [("word 1-3 + char 2-5", dict(minn=2, maxn=5)), ("word 1-3 only", dict(minn=0, maxn=0))]:
            ft_model = _fasttext_fit(fasttext, corpus, labels, wordNgrams=3, **subwords)
            # The low-level predict: fasttext 0.9.2's Python wrapper fails under NumPy 2.
            ft_predict = lambda texts: ft_model.f.predict(" ".join(texts[0].split()), -1, 0.0, "strict")  # noqa: E731
            f_med, f_p99 = _latency(ft_predict, timed, args.calls, warm)
            print(f"fastText ({name}, same corpus) single statement median {f_med * 1e6:6.0f} us  p99 {f_p99 * 1e6:6.0f} us")


def _fasttext_fit(fasttext, texts, labels, **params):
    """fastText trained on the corpus, single-threaded (so deterministic)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "train.txt")
        with open(path, "w", encoding="utf-8") as fh:
            for text, label in zip(texts, labels):
                fh.write(f"__label__{label} {' '.join(text.split())}\n")
        return fasttext.train_supervised(path, epoch=25, dim=50, thread=1, verbose=0, **params)


if __name__ == "__main__":
    main()
