"""Re-execute the evaluation notebook and export it to HTML.

    pip install ".[report]"
    python notebooks/build_report.py

Runs ``notebooks/evaluation.ipynb`` from a clean kernel (cells in order),
saves it with its outputs, and writes ``notebooks/evaluation.html`` beside
it. Both files are replaced only when the whole notebook ran without error.
The notebook saves its headline figures to ``notebooks/headline.json``; the
README's table between the ``headline`` markers is rewritten from them.
Takes about ten minutes on two cores (it cross-validates several models on
the whole corpus).
"""

import json
import pathlib
import sys

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from stance.evaluation import headline_markdown
from stance.files import open_output

HERE = pathlib.Path(__file__).resolve().parent
README = HERE.parent / "README.md"
START, END = "<!-- headline:start -->", "<!-- headline:end -->"


def update_readme(headline_path=HERE / "headline.json", readme=README):
    """Rewrite the README's headline table from the report's figures."""
    headline = json.loads(headline_path.read_text(encoding="utf-8"))
    text = readme.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    _replace(readme, f"{before}{START}\n{headline_markdown(headline)}\n{END}{after}")
    return readme


def _replace(path, text):
    with open_output(path) as fh:  # a temporary file renamed into place
        fh.write(text)


def build(notebook=HERE / "evaluation.ipynb", timeout=3600):
    """Execute ``notebook`` in its folder and write it and its HTML export."""
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}).execute()
    html, _ = HTMLExporter().from_notebook_node(nb)
    _replace(notebook, nbformat.writes(nb))
    _replace(notebook.with_suffix(".html"), html)
    return notebook, notebook.with_suffix(".html")


if __name__ == "__main__":
    for path in build(*(pathlib.Path(a) for a in sys.argv[1:2])):
        print(f"wrote {path}")
    print(f"wrote {update_readme()}")
