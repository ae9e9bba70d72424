"""Labelling Parquet on a Dask cluster: 1 worker against 2, measured in one run.

    pip install ".[dask]"
    python benchmarks/bench_dask.py [--rows 1000000] [--partitions 20]

Writes ``--rows`` synthetic statements (corpus sentences with an id) to
Parquet, then labels them with :func:`stance.distributed.predict_dask` on a
``LocalCluster`` of one worker process and of two (one thread each), writing
Parquet out. Prints statements per second for each, the speed-up of two
workers over the one-worker baseline, and whether the labels are identical.
"""

import argparse
import os
import platform
import tempfile
import time

import pandas as pd

import stance


def _run(n_workers, data, out):
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from stance.distributed import predict_dask

    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            client.run(lambda: __import__("stance").load())  # workers load the model before the clock starts
            start = time.perf_counter()
            predict_dask(dd.read_parquet(data)).to_parquet(out, write_index=False)
            seconds = time.perf_counter() - start
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    texts = list(stance.load_corpus()["text"])
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        os.mkdir(data)
        per = -(-args.rows // args.partitions)
        for p in range(args.partitions):
            ids = range(p * per, min((p + 1) * per, args.rows))
            pd.DataFrame({"id": list(ids), "text": [texts[i % len(texts)] for i in ids]}).to_parquet(
                os.path.join(data, f"part-{p:03d}.parquet"), index=False
            )
        figures = {}
        for workers in (1, 2):
            out = os.path.join(tmp, f"out-{workers}")
            seconds = _run(workers, data, out)
            figures[workers] = (seconds, pd.read_parquet(out).sort_values("id")["stance"].tolist())
            print(f"{workers} worker{'s' if workers > 1 else ''}: {args.rows:,} statements in {seconds:6.1f} s, "
                  f"{args.rows / seconds:8,.0f} statements/s")
        speedup = figures[1][0] / figures[2][0]
        print(f"speed-up, 2 workers / 1 worker (baseline): {speedup:.2f}x; labels identical: {figures[1][1] == figures[2][1]}")


if __name__ == "__main__":
    main()
