"""Labelling on a Dask cluster (stance.distributed) equals one machine, row for row.

Values are compared exactly; dtypes are not, because Dask stores text
columns as Arrow strings where pandas keeps Python objects.
"""

import subprocess
import sys

import pandas as pd
import pytest

import stance

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

from stance.distributed import predict_dask  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    """A real local cluster: two worker processes, one thread each."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc:
        with distributed.Client(lc) as client:
            yield lc, client


@pytest.fixture(scope="module")
def frame():
    corpus = stance.load_corpus()
    rows = corpus.sample(1200, random_state=0)[["id", "text"]].reset_index(drop=True)
    rows.loc[5, "text"] = ""  # a blank statement is labelled like one machine labels it
    return rows


def test_cluster_results_equal_single_machine_row_for_row(cluster, frame):
    _, client = cluster
    ddf = dd.from_pandas(frame, npartitions=6)
    result = client.compute(predict_dask(ddf)).result().sort_values("id").reset_index(drop=True)
    expected = stance.predict_frame(frame).sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(result, expected, check_exact=True, check_dtype=False)
    # Both worker processes took part.
    assert len(client.scheduler_info()["workers"]) == 2


def test_a_model_object_is_scattered_once(cluster, frame, tiny_model, monkeypatch):
    _, client = cluster
    calls = []
    scatter = client.scatter

    def spy(data, **kwargs):
        calls.append(kwargs)
        return scatter(data, **kwargs)

    monkeypatch.setattr(client, "scatter", spy)
    ddf = dd.from_pandas(frame, npartitions=4)
    result = client.compute(predict_dask(ddf, model=tiny_model, client=client, min_confidence=0.5)).result()
    expected = stance.predict_frame(frame, model=tiny_model, min_confidence=0.5)
    pd.testing.assert_frame_equal(result.sort_index(), expected, check_exact=True, check_dtype=False)
    # Sent once to every worker, then referred to by key from each task.
    assert len(calls) == 1 and calls[0]["broadcast"] is True


def test_bad_column_and_confidence(frame):
    ddf = dd.from_pandas(frame, npartitions=1)
    with pytest.raises(KeyError, match="no column 'body'"):
        predict_dask(ddf, "body")
    with pytest.raises(ValueError, match="between 0 and 1"):
        predict_dask(ddf, min_confidence=3)


def test_cli_labels_parquet_files_on_the_cluster(cluster, frame, tmp_path):
    lc, _ = cluster
    data = tmp_path / "data"
    data.mkdir()
    for i, part in enumerate((frame.iloc[:500], frame.iloc[500:])):
        part.to_parquet(data / f"part-{i}.parquet", index=False)
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "stance", "predict", "--input", str(data / "*.parquet"), "--output", str(out),
         "--scheduler", lc.scheduler_address],
        capture_output=True, text=True, cwd="/",
    )
    assert result.returncode == 0, result.stderr
    assert f"labelled {len(frame)} statements" in result.stderr
    got = pd.read_parquet(out).sort_values("id").reset_index(drop=True)
    expected = stance.predict_frame(frame).sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=False)
    again = subprocess.run(
        [sys.executable, "-m", "stance", "predict", "--input", str(data / "*.parquet"), "--output", str(out),
         "--scheduler", lc.scheduler_address],
        capture_output=True, text=True, cwd="/",
    )
    assert again.returncode == 1 and "not an empty folder" in again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]  # no staging folder left
