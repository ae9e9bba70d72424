"""Label millions of statements on a Dask cluster, with the single-machine results.

Needs the ``dask`` extra (``pip install "stance[dask]"``) and stance
installed on every worker. Each partition is labelled by
:func:`stance.predict_frame`, so the columns, the labels and the
probabilities are exactly those of one machine, row for row.

The model reaches each worker once:

- the bundled model (the default) and a model given as a file path are
  loaded by each worker process the first time it needs them and kept for
  the process's life, so tasks carry only the path;
- a model object (e.g. one trained in this session) is scattered to every
  worker once (``client.scatter(..., broadcast=True)``), and tasks refer to
  it by key.
"""

from __future__ import annotations

import os

from ._api import check_min_confidence, predict_frame

__all__ = ["predict_dask", "label_files"]


# Labels travel as Arrow strings, as Dask stores text; an object column has
# no type Parquet can infer from an empty partition.
_LABEL_DTYPE = "string[pyarrow]"


def _label_partition(frame, column, model, min_confidence):
    if model is None or isinstance(model, str):
        from .persistence import _load_once

        model = _load_once(model)
    out = predict_frame(frame, column, model=model, min_confidence=min_confidence)
    out["stance"] = out["stance"].astype(_LABEL_DTYPE)
    return out


def _meta(ddf, column, classes):
    import pandas as pd

    if column not in ddf.columns:
        raise KeyError(f"no column {column!r} in the Dask DataFrame; its columns are {', '.join(map(str, ddf.columns))}")
    meta = ddf._meta.copy()
    meta["stance"] = pd.Series(dtype=_LABEL_DTYPE)
    for label in classes:
        meta[f"p_{label}"] = pd.Series(dtype="float64")
    return meta


def predict_dask(ddf, column="text", *, model=None, min_confidence=None, client=None):
    """Label the statements in a column of a Dask DataFrame.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The statements, one per row.
    column : str, default="text"
        The column holding the statements.
    model : None, str or path-like, or a model object
        ``None`` (default): the bundled model, loaded on each worker. A path:
        a model file (``.npz``) that every worker can read. A model object
        (:class:`~stance.ServingModel` or :class:`~stance.StanceClassifier`):
        scattered to every worker once, which needs a ``client``.
    min_confidence : float, optional
        Below this probability the label is ``"uncertain"``.
    client : distributed.Client, optional
        Used to scatter a model object; default: the current client.

    Returns
    -------
    dask.dataframe.DataFrame
        ``ddf`` with a ``stance`` column and one ``p_<label>`` column per
        label, computed lazily, partition by partition.

    Raises
    ------
    KeyError
        If ``column`` is not in ``ddf``.
    ValueError
        If ``min_confidence`` is not between 0 and 1, or a model object is
        given without a client.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd                  # doctest: +SKIP
    >>> from stance.distributed import predict_dask                 # doctest: +SKIP
    >>> ddf = dd.from_pandas(pd.DataFrame({"text": ["The claims are false."]}), npartitions=1)  # doctest: +SKIP
    >>> predict_dask(ddf).compute()["stance"].tolist()              # doctest: +SKIP
    ['deny']
    """
    from .persistence import load

    min_confidence = check_min_confidence(min_confidence)
    if model is None or isinstance(model, (str, os.PathLike)):
        path = None if model is None else os.fspath(model)
        classes = load(path).classes_  # also fails early here if the file is bad
        argument = path
    else:
        classes = model.classes_
        if client is None:
            try:
                from distributed import get_client

                client = get_client()
            except (ImportError, ValueError):
                raise ValueError("a model object is scattered to the workers: pass client= or start a Client") from None
        argument = client.scatter(model, broadcast=True, hash=False)
    return ddf.map_partitions(_label_partition, column, argument, min_confidence, meta=_meta(ddf, column, classes))


def label_files(pattern, output, *, scheduler, column="text", model=None, min_confidence=None):
    """Label Parquet or CSV files on a Dask cluster and write Parquet, partition by partition.

    Parameters
    ----------
    pattern : str
        Input files, e.g. ``"data/*.parquet"`` or ``"exports/*.csv"``.
    output : str
        A folder for the Parquet output (one file per partition).
    scheduler : str
        The scheduler's address (``tcp://host:8786``), or ``"local"`` for a
        cluster of one worker process per core on this machine.
    column, model, min_confidence
        As for :func:`predict_dask` (a model here is a path or ``None``).

    Returns
    -------
    int
        The number of statements labelled.
    """
    import shutil
    import tempfile

    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    target = os.path.abspath(output)
    if os.path.exists(target) and (not os.path.isdir(target) or os.listdir(target)):
        raise FileExistsError(f"{output} exists and is not an empty folder; choose a new output folder")
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"the folder {parent} does not exist")
    if scheduler == "local":
        cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True)
        client = Client(cluster)
    else:
        cluster, client = None, Client(scheduler)
    try:
        reader = dd.read_parquet if pattern.lower().endswith((".parquet", ".pq")) else dd.read_csv
        ddf = reader(pattern, **({} if reader is dd.read_parquet else {"dtype": str, "keep_default_na": False}))
        labelled = predict_dask(ddf, column, model=model, min_confidence=min_confidence, client=client)
        # Written beside the target and renamed when complete, so a failed
        # run leaves no half-written output folder.
        staging = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.", dir=parent)
        try:
            labelled.to_parquet(staging, write_index=False)
            rows = int(dd.read_parquet(staging, columns=["stance"]).shape[0].compute())
            if os.path.isdir(target):
                os.rmdir(target)  # empty, checked above
            os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return rows
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
