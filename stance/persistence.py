"""Saving and loading models.

A saved model is three files side by side, written atomically:

``NAME.joblib``
    The fitted :class:`~stance.StanceClassifier` and its metadata, for
    retraining, inspection and scikit-learn tools. Unpickling it can run
    code, so it is only loaded when trusted.
``NAME.npz``
    The code-free serving form (:class:`~stance.serving.ServingModel`):
    NumPy arrays and a JSON header, read without unpickling anything. This is
    what :func:`load` returns by default and what :func:`stance.predict` uses.
``NAME.json``
    The model card: the metadata and the SHA-256 of the two files above,
    readable without loading either.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.resources
import json
import os
import pathlib
import tempfile

from .exceptions import ModelFileError, UntrustedModelError

__all__ = ["load", "load_estimator", "save_model", "read_card", "cache_dir", "BUNDLED_NAME"]

#: File stem of the model shipped in ``stance.models``.
BUNDLED_NAME = "stance-model"

_BUNDLE_FORMAT = "stance-model"
_BUNDLE_FORMAT_VERSION = 1


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


class _Staged:
    """Files written beside their targets under temporary names, then all
    renamed into place at once.

    If anything fails before :meth:`commit`, every temporary file is removed
    and the targets keep their previous content, so an interrupted save never
    leaves a half-written model, nor a card that does not match its files.
    """

    def __init__(self):
        self._pending = []  # (temporary path, target path)

    def open(self, target):
        target = pathlib.Path(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        self._pending.append((tmp, target))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a model is an ordinary file
        return os.fdopen(fd, "wb")

    def path_of(self, target):
        return next(tmp for tmp, t in self._pending if t == pathlib.Path(target))

    def commit(self):
        for tmp, target in self._pending:
            os.replace(tmp, target)
        self._pending = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        for tmp, _ in self._pending:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return False


def _write(staged, target, write):
    with staged.open(target) as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())


def _sibling(path, suffix):
    return pathlib.Path(path).with_suffix(suffix)


def save_model(model, path):
    """Save a fitted :class:`~stance.StanceClassifier` with its card and serving form.

    Parameters
    ----------
    model : StanceClassifier
        A fitted model (its ``metadata_`` goes into the card).
    path : str or path-like
        Where the joblib bundle goes, e.g. ``my-model.joblib``; the serving
        form and the card are written beside it as ``my-model.npz`` and
        ``my-model.json``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If ``path`` ends in ``.npz`` or ``.json`` (the sibling files' names)
        or its folder does not exist.
    """
    import joblib

    path = pathlib.Path(path)
    if path.suffix in (".npz", ".json"):
        raise ValueError(f"model path {path} must not end in {path.suffix}: that name is used for a sibling file")
    if not path.parent.is_dir():
        raise ValueError(f"folder {path.parent} does not exist")
    model._check_fitted()
    metadata = dict(getattr(model, "metadata_", {}) or {})
    serving = model.to_serving()

    npz_path, card_path = _sibling(path, ".npz"), _sibling(path, ".json")
    bundle = {
        "format": _BUNDLE_FORMAT,
        "format_version": _BUNDLE_FORMAT_VERSION,
        "estimator": model,
        "metadata": metadata,
    }
    with _Staged() as staged:
        _write(staged, npz_path, serving.write)
        _write(staged, path, lambda fh: joblib.dump(bundle, fh, compress=3))
        card = dict(metadata)
        card["files"] = {
            role: {
                "name": target.name,
                "sha256": _sha256_file(staged.path_of(target)),
                "bytes": os.path.getsize(staged.path_of(target)),
            }
            for role, target in (("estimator", path), ("serving", npz_path))
        }
        text = json.dumps(card, indent=2, sort_keys=True) + "\n"
        _write(staged, card_path, lambda fh: fh.write(text.encode("utf-8")))
        staged.commit()
    return path


def _bundled(suffix):
    return importlib.resources.files("stance.models").joinpath(BUNDLED_NAME + suffix)


def read_card(path=None):
    """Read a model card without loading the model.

    Parameters
    ----------
    path : str, path-like or None
        The card (``.json``) or any of its sibling model files; ``None`` reads
        the bundled model's card.

    Returns
    -------
    dict
    """
    card_path = _bundled(".json") if path is None else _sibling(path, ".json")
    try:
        with card_path.open("rb") as fh:
            return json.loads(fh.read().decode("utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"no model card at {card_path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"model card {card_path} is not valid JSON: {exc}") from None


def _verified_bundled(suffix, role):
    """Path of a bundled model file whose SHA-256 matches the bundled card."""
    card = read_card()
    expected = card.get("files", {}).get(role, {}).get("sha256")
    with importlib.resources.as_file(_bundled(suffix)) as path:
        if not path.is_file():
            raise ModelFileError(f"the bundled model file {path.name} is missing from the installed package")
        actual = _sha256_file(path)
        if actual != expected:
            raise ModelFileError(
                f"the bundled model file {path} does not match its model card "
                f"(SHA-256 {actual[:12]}…, card says {str(expected)[:12]}…); "
                f"it may have been tampered with: reinstall stance or rebuild it with `stance train`"
            )
        return path


@functools.lru_cache(maxsize=1)
def _bundled_serving():
    from .serving import ServingModel

    model = ServingModel.load(_verified_bundled(".npz", "serving"))
    model._source = None  # worker processes reload it with load(), checksum included
    return model


@functools.lru_cache(maxsize=4)
def _load_once(path):
    """:func:`load` (trusted files excluded), kept for the life of the process:
    what a worker process uses, so that a model reaches it once, not per task."""
    return load(path)


def _is_zip(path):
    with open(path, "rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def load(path=None, *, trusted=False):
    """Load a stance model for prediction.

    Parameters
    ----------
    path : str, path-like or None, default=None
        ``None`` loads the model bundled with the package (after checking its
        SHA-256 against the bundled card). A ``.npz`` serving file (as written
        by :func:`save_model` and ``stance train``) is read without running
        any code. Any other file is taken to be a joblib bundle, which can run
        code when unpickled and is refused unless ``trusted=True``.
    trusted : bool, default=False
        Set to True only for a joblib file you made yourself or got from
        someone you trust.

    Returns
    -------
    ServingModel or StanceClassifier
        Both offer ``predict``, ``predict_proba`` and ``classes_``. The
        bundled model and ``.npz`` files give a :class:`~stance.serving.ServingModel`;
        a trusted joblib bundle gives the :class:`~stance.StanceClassifier`
        saved in it.

    Raises
    ------
    ModelFileError
        If the file is missing, empty, truncated, corrupt or not a stance
        model, or the bundled model fails its checksum.
    UntrustedModelError
        If ``path`` is a joblib file and ``trusted`` is False.
    """
    if path is None:
        return _bundled_serving()
    path = pathlib.Path(path)
    if not path.is_file():
        raise ModelFileError(f"no such model file: {path}")
    if path.stat().st_size == 0:
        raise ModelFileError(f"model file {path} is empty")
    if _is_zip(path):
        from .serving import ServingModel

        model = ServingModel.load(path)
        model._source = str(path.resolve())  # lets worker processes read the file instead of a pickle
        return model
    if not trusted:
        raise UntrustedModelError(
            f"{path} is not a code-free stance model (.npz); loading it would unpickle it, which can run "
            f"arbitrary code. Load the .npz file beside it instead, or pass trusted=True if you trust its source."
        )
    return _load_bundle(path)


def _load_bundle(path):
    import pickle

    import joblib

    try:
        bundle = joblib.load(path)
    except (pickle.UnpicklingError, EOFError, ValueError, KeyError, IndexError, AttributeError, ImportError, OSError) as exc:
        raise ModelFileError(f"{path} is not a readable stance model file: {type(exc).__name__}: {exc}") from None
    if not isinstance(bundle, dict) or bundle.get("format") != _BUNDLE_FORMAT:
        raise ModelFileError(f"{path} is a joblib file but not a stance model bundle")
    if bundle.get("format_version") != _BUNDLE_FORMAT_VERSION:
        raise ModelFileError(
            f"{path} uses bundle format version {bundle.get('format_version')}; "
            f"this stance reads version {_BUNDLE_FORMAT_VERSION}"
        )
    estimator = bundle["estimator"]
    estimator.metadata_ = bundle.get("metadata", {})
    return estimator


def load_estimator(path=None, *, trusted=False):
    """Load the scikit-learn estimator (joblib bundle) of a model.

    Parameters
    ----------
    path : str, path-like or None, default=None
        ``None`` loads the bundled model's estimator, after checking its
        SHA-256 against the bundled card. If the installed scikit-learn is
        not the version the bundle was made with, the estimator is refitted
        from the bundled corpus instead (deterministically, a few seconds)
        and cached in :func:`cache_dir`.
    trusted : bool, default=False
        Required for any other path; see :func:`load`.

    Returns
    -------
    StanceClassifier
    """
    if path is None:
        import sklearn

        card = read_card()
        if card.get("sklearn_version") != sklearn.__version__:
            return _rebuilt_estimator(card, sklearn.__version__)
        return _load_bundle(_verified_bundled(".joblib", "estimator"))
    path = pathlib.Path(path)
    if path.suffix == ".npz":
        raise ModelFileError(f"{path} is a serving file; the estimator is the .joblib file beside it")
    return load(path, trusted=trusted)


def cache_dir():
    """Folder for models stance rebuilds: ``$STANCE_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/stance``, else ``~/.cache/stance``."""
    if os.environ.get("STANCE_CACHE_DIR"):
        return pathlib.Path(os.environ["STANCE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(base) / "stance"


def _rebuilt_estimator(card, sklearn_version):
    """The bundled estimator, refitted under the installed scikit-learn.

    A pickle made by another scikit-learn version may load with warnings or
    behave differently, so instead of unpickling it we refit the model from
    the bundled corpus with the card's parameters (training is
    deterministic) and cache the result for next time.
    """
    from .model import train

    folder = cache_dir()
    target = folder / f"{BUNDLED_NAME}-{card['corpus_sha256'][:16]}-sklearn-{sklearn_version}.joblib"
    if target.is_file():
        cached = read_card(target)
        if cached.get("files", {}).get("estimator", {}).get("sha256") == _sha256_file(target):
            return _load_bundle(target)
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in card["params"].items()}
    model = train(None, cv=0, **params)  # train() loads and fingerprints the bundled corpus
    if model.metadata_["corpus_sha256"] != card["corpus_sha256"]:
        raise ModelFileError("the bundled corpus does not match the bundled model card; reinstall stance")
    model.metadata_ = {
        **{k: v for k, v in card.items() if k != "files"},
        "sklearn_version": sklearn_version,
        "rebuilt_from": f"bundled corpus, for scikit-learn {sklearn_version} (bundle made with {card.get('sklearn_version')})",
    }
    folder.mkdir(parents=True, exist_ok=True)
    save_model(model, target)
    return model
