"""The evaluation notebook runs from a clean kernel (notebooks/evaluation.ipynb)."""

import json
import pathlib
import shutil

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
REALDEV = REPO.parent / "shared" / "realdev.csv"
NOTEBOOK = REPO / "notebooks" / "evaluation.ipynb"


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="not running from a checkout")
def test_notebook_executes_without_error_and_shows_its_figures(tmp_path, monkeypatch):
    pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    import nbformat
    from nbclient import NotebookClient

    # A sample of the corpus keeps this within CI's time; the committed
    # report is the same notebook run on the whole corpus.
    monkeypatch.setenv("STANCE_REPORT_SAMPLE", "1500")
    monkeypatch.setenv("STANCE_REALDEV", str(REALDEV))
    copy = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    nb = nbformat.read(copy, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(figures) >= 4  # corpus, confusion matrix, calibration, learning curve (and the sweep)
    text = json.dumps([o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in outputs])
    for words in ("macro-F1", "keyword lexicon", "Brier score", "hard cases", "last step", "SAMPLE"):
        assert words in text, words
    assert ("real statements: macro-F1" in text) == REALDEV.is_file()


def test_committed_report_is_executed_and_exported():
    if not NOTEBOOK.exists():
        pytest.skip("not running from a checkout")
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c.get("outputs") for c in code), "commit the notebook executed (python notebooks/build_report.py)"
    assert all(c.get("execution_count") == i for i, c in enumerate(code, start=1)), "cells must run in order, once"
    assert pathlib.Path(NOTEBOOK.with_suffix(".html")).is_file()


def test_readme_quotes_the_report_headline():
    headline_path = NOTEBOOK.with_name("headline.json")
    if not headline_path.exists():
        pytest.skip("not running from a checkout")
    from stance.evaluation import headline_markdown

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- headline:start -->\n", 1)[1].split("\n<!-- headline:end -->", 1)[0]
    assert block == headline_markdown(json.loads(headline_path.read_text(encoding="utf-8")))
