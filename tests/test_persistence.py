"""Saving and loading models (stance.persistence)."""

import json
import os
import pathlib
import pickle

import joblib
import numpy as np
import pytest

import stance
from stance import persistence
from stance.exceptions import ModelFileError, UntrustedModelError

TEXTS = ["The embassy rejected the claims as slander.", "Watch out for fake recruiters.", ""]


@pytest.fixture
def saved(tmp_path, tiny_model):
    return tiny_model.save(tmp_path / "model.joblib")


def test_save_writes_bundle_card_and_serving_form(saved):
    assert {p.name for p in saved.parent.iterdir()} == {"model.joblib", "model.npz", "model.json"}
    card = json.loads(saved.with_suffix(".json").read_text())
    assert card["files"]["estimator"]["sha256"] == persistence._sha256_file(saved)
    assert card["files"]["serving"]["sha256"] == persistence._sha256_file(saved.with_suffix(".npz"))
    assert card["corpus_size"] == 20


def test_round_trips_keep_predictions(saved, tiny_model):
    expected = tiny_model.predict_proba(TEXTS)
    served = stance.load(saved.with_suffix(".npz"))
    np.testing.assert_allclose(served.predict_proba(TEXTS), expected, atol=1e-12)
    estimator = stance.load(saved, trusted=True)
    np.testing.assert_array_equal(estimator.predict_proba(TEXTS), expected)
    assert estimator.get_params() == tiny_model.get_params()
    assert estimator.metadata_ == tiny_model.metadata_


def test_joblib_files_need_explicit_trust(saved):
    with pytest.raises(UntrustedModelError, match="trusted=True"):
        stance.load(saved)
    with pytest.raises(UntrustedModelError):
        stance.load_estimator(saved)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "is empty"),
        (b"PK\x03\x04 truncated zip", "not a readable stance model"),
        (b"\x00\x01\x02 random bytes", "not a readable stance model"),
        (b"just some text\n", "not a readable stance model"),
    ],
)
def test_broken_files_give_model_file_error(tmp_path, content, words):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=words):
        stance.load(path, trusted=True)


def test_truncated_serving_file_is_refused(tmp_path, saved):
    data = saved.with_suffix(".npz").read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError):
        stance.load(cut)


def test_foreign_files_are_refused(tmp_path):
    npz = tmp_path / "foreign.npz"
    np.savez(npz, weights=np.arange(3))
    with pytest.raises(ModelFileError, match="not a stance model"):
        stance.load(npz)
    other = tmp_path / "other.joblib"
    joblib.dump({"weights": [1, 2, 3]}, other)
    with pytest.raises(ModelFileError, match="not a stance model bundle"):
        stance.load(other, trusted=True)
    pickled = tmp_path / "list.pkl"
    pickled.write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(ModelFileError, match="not a stance model bundle"):
        stance.load(pickled, trusted=True)


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        stance.load(tmp_path / "absent.npz")


def test_save_refuses_sibling_suffixes_and_missing_folders(tmp_path, tiny_model):
    with pytest.raises(ValueError, match="must not end in .npz"):
        tiny_model.save(tmp_path / "m.npz")
    with pytest.raises(ValueError, match="does not exist"):
        tiny_model.save(tmp_path / "no" / "m.joblib")


def test_bundled_model_is_checked_against_its_card(tmp_path, monkeypatch):
    models = pathlib.Path(str(persistence._bundled(".json"))).parent
    for name in os.listdir(models):
        if name.startswith(persistence.BUNDLED_NAME):
            (tmp_path / name).write_bytes((models / name).read_bytes())
    monkeypatch.setattr(persistence, "_bundled", lambda suffix: tmp_path / (persistence.BUNDLED_NAME + suffix))
    persistence._bundled_serving.cache_clear()
    try:
        assert persistence._bundled_serving().predict(["The claims are groundless."])
        persistence._bundled_serving.cache_clear()
        npz = tmp_path / (persistence.BUNDLED_NAME + ".npz")
        npz.write_bytes(npz.read_bytes() + b"tampered")
        with pytest.raises(ModelFileError, match="does not match its model card"):
            stance.load()
        joblib_file = tmp_path / (persistence.BUNDLED_NAME + ".joblib")
        joblib_file.write_bytes(joblib_file.read_bytes()[:-10])
        with pytest.raises(ModelFileError, match="does not match its model card"):
            stance.load_estimator()
    finally:
        persistence._bundled_serving.cache_clear()


def test_a_crash_mid_write_keeps_the_previous_model(saved, tiny_model, monkeypatch):
    before = {p.name: p.read_bytes() for p in saved.parent.iterdir()}

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(joblib, "dump", crash)
    with pytest.raises(OSError, match="disk full"):
        tiny_model.save(saved)
    after = {p.name: p.read_bytes() for p in saved.parent.iterdir()}
    assert after == before  # every file intact, no stray temporary file


def test_read_card_of_bundled_model():
    card = stance.read_card()
    assert card["labels"] == sorted(stance.LABELS) or set(card["labels"]) == set(stance.LABELS)
    assert card["corpus_size"] >= 2400
    assert card["heldout_metrics"]["macro_f1"] > 0.5
    assert {"sklearn_version", "stance_version", "corpus_sha256", "trained_at", "params"} <= card.keys()


def test_bundled_card_matches_bundled_corpus():
    from stance.corpus import corpus_sha256

    assert stance.read_card()["corpus_sha256"] == corpus_sha256(stance.load_corpus())


def test_version_drift_rebuilds_instead_of_unpickling(tmp_path, monkeypatch):
    import sklearn

    from stance import model as model_module

    texts = list(stance.load_corpus()["text"][:200])
    expected = stance.load().predict_proba(texts)
    monkeypatch.setenv("STANCE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(sklearn, "__version__", "0.0.test")

    def refuse(*args, **kwargs):
        raise AssertionError("the bundled pickle must not be read under another scikit-learn")

    monkeypatch.setattr(persistence, "_verified_bundled", refuse)
    rebuilt = stance.load_estimator()
    assert rebuilt.metadata_["sklearn_version"] == "0.0.test"
    assert "rebuilt_from" in rebuilt.metadata_
    np.testing.assert_allclose(rebuilt.predict_proba(texts), expected, atol=1e-9)
    (cached,) = tmp_path.glob("*.joblib")
    assert cached.name.endswith("-sklearn-0.0.test.joblib")

    monkeypatch.setattr(model_module, "train", refuse)  # the second time comes from the cache
    again = stance.load_estimator()
    np.testing.assert_array_equal(again.predict_proba(texts), rebuilt.predict_proba(texts))
