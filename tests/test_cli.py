"""The command line (stance.cli), through its function and real subprocesses."""

import csv
import io
import json
import os
import pathlib
import subprocess
import sys

import pytest

from stance.cli import main


def run(*args, stdin=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "stance", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or "/",
    )


def test_predict_arguments_as_jsonl(capsys):
    assert main(["predict", "--format", "jsonl", "The accusations are groundless.", "Talks resume in May."]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in rows] == ["The accusations are groundless.", "Talks resume in May."]
    assert rows[0]["stance"] == "deny"
    assert abs(sum(v for k, v in rows[0].items() if k.startswith("p_")) - 1) < 1e-9


def test_predict_reads_standard_input_in_a_subprocess():
    result = run("predict", stdin="The accusations are groundless.\n\nPolice charged two men with spying.\n")
    assert result.returncode == 0, result.stderr
    # Not a terminal: CSV by default; blank lines are skipped, line numbers kept.
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["line", "text", "stance", "p_accuse", "p_deny", "p_other", "p_warn"]
    assert [(r["line"], r["stance"]) for r in rows] == [("1", "deny"), ("3", "accuse")]


def test_predict_table_output(capsys):
    assert main(["predict", "--format", "table", "The accusations are groundless."]) == 0
    assert capsys.readouterr().out.startswith("deny")


def test_info_prints_the_card(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "corpus:" in out and "macro-F1" in out
    assert main(["info", "--json"]) == 0
    assert "corpus_sha256" in json.loads(capsys.readouterr().out)


def test_validate_prints_counts_and_reports_near_copies(tmp_path, tiny_frame, capsys):
    path = tmp_path / "c.csv"
    tiny_frame.to_csv(path, index=False)
    assert main(["validate", "--minimal", "--data", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("valid: 20 statements in 5 groups") and "labels: accuse 5, deny 5, warn 5, other 5" in out
    tiny_frame.loc[1, "text"] = tiny_frame.loc[0, "text"] + "!"
    tiny_frame.to_csv(path, index=False)
    assert main(["validate", "--minimal", "--data", str(path)]) == 1
    assert "row 2, column 'text': near-copy of row 1" in capsys.readouterr().err


def test_train_on_a_user_csv_writes_three_files_and_metrics(tmp_path, tiny_csv, capsys):
    out = tmp_path / "my-model.joblib"
    assert main(["train", "--data", str(tiny_csv), "--out", str(out), "--cv", "3"]) == 0
    printed = capsys.readouterr().out
    assert "held-out metrics (3-fold grouped cross-validation)" in printed and "macro-F1" in printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-model.joblib", "my-model.json", "my-model.npz", "tiny.csv"]
    assert main(["predict", "--model", str(out.with_suffix(".npz")), "--format", "jsonl", "We reject the claims."]) == 0


@pytest.mark.parametrize(
    "args, status, words",
    [
        (["train", "--data", "{tmp}/missing.csv", "--out", "{tmp}/m.joblib"], 1, "no such file"),
        (["train", "--data", "{tmp}/bad.csv", "--out", "{tmp}/m.joblib"], 1, "row 2, column 'label'"),
        (["train", "--data", "{tmp}/bad.csv", "--out", "{tmp}/nofolder/m.joblib"], 1, "does not exist"),
        (["train", "--cv", "1"], 2, "--cv must be 0"),
        (["predict", "--model", "{tmp}/missing.npz", "x"], 1, "no such model file"),
        (["predict", "--model", "{tmp}/bad.csv", "x"], 1, "not a code-free stance model"),
        (["frobnicate"], 2, "invalid choice"),
        (["predict", "--format", "xml", "x"], 2, "invalid choice"),
    ],
)
def test_errors_exit_with_status_and_message_not_traceback(tmp_path, args, status, words):
    (tmp_path / "bad.csv").write_text("id,text,label\n1,Fine.,deny\n2,Odd.,maybe\n", encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run(*args)
    assert result.returncode == status, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "m.joblib").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_predict_with_no_input_on_a_terminal_is_a_usage_error(monkeypatch, capsys):
    class Terminal:
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    assert main(["predict"]) == 2
    assert "standard input" in capsys.readouterr().err


def test_installed_console_script_runs():
    script = pathlib.Path(sys.executable).parent / "stance"
    if not script.exists():
        pytest.skip("stance is not installed as a console script in this environment")
    result = subprocess.run([str(script), "predict", "The accusations are groundless."], capture_output=True, text=True, cwd="/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("The accusations are groundless.,deny,")


# -- files in, labelled rows out --------------------------------------------------

ADDED = ["stance", "p_accuse", "p_deny", "p_other", "p_warn"]


@pytest.fixture
def statements_csv(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        "id,body,source\n"
        '1,"The accusations are groundless, the embassy said.",wire\n'
        '2,"Police charged two men with spying on the naval base.",court\n'
        '3,"Talks on fishing rights resume on Monday.",ministry\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
def test_predict_input_keeps_every_column_and_adds_labels(tmp_path, statements_csv, fmt):
    out = tmp_path / f"out.{fmt}"
    assert main(["predict", "--input", str(statements_csv), "--column", "body", "--output", str(out)]) == 0
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        rows = list(csv.DictReader(out.open(encoding="utf-8"), delimiter="," if fmt == "csv" else "\t"))
    assert list(rows[0]) == ["id", "body", "source", *ADDED]
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert [r["stance"] for r in rows] == ["deny", "accuse", "other"]
    assert [r["source"] for r in rows] == ["wire", "court", "ministry"]


def test_predict_input_jsonl_and_text_files(tmp_path):
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"text": "We firmly reject these lies.", "meta": {"n": 1}}\n\n{"text": "Be vigilant online."}\n', encoding="utf-8")
    text = tmp_path / "in.txt"
    text.write_text("We firmly reject these lies.\nBe vigilant online.\n", encoding="utf-8")
    for path in (jsonl, text):
        result = run("predict", "--input", str(path), "--format", "jsonl")
        assert result.returncode == 0, result.stderr
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert [r["stance"] for r in rows] == ["deny", "warn"]
    assert rows[1]["line"] == "2"


def test_predict_streams_large_input_in_chunks(tmp_path, monkeypatch):
    import stance.cli as cli

    monkeypatch.setattr(cli, "_CHUNK_ROWS", 7)
    path = tmp_path / "many.csv"
    texts = [f"Statement number {i}: the ministry rejected the claims." for i in range(50)]
    path.write_text("text\n" + "\n".join(texts) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["predict", "-i", str(path), "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["text"] for r in rows] == texts
    assert [r["stance"] for r in rows] == stance_predict(texts)


def stance_predict(texts):
    import stance

    return stance.predict(texts)


def test_min_confidence_gives_uncertain(capsys):
    assert main(["predict", "--format", "jsonl", "--min-confidence", "1", "The accusations are groundless."]) == 0
    assert json.loads(capsys.readouterr().out)["stance"] == "uncertain"
    assert main(["predict", "--format", "jsonl", "--min-confidence", "0", "The accusations are groundless."]) == 0
    assert json.loads(capsys.readouterr().out)["stance"] == "deny"


def test_predict_explain_column(capsys):
    assert main(["predict", "--format", "jsonl", "--explain", "--top", "3", "The accusations are groundless."]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["explanation"].count(";") == 2 and "groundless" in row["explanation"]


def test_tag_a_document_in_a_subprocess(tmp_path):
    document = (
        "The security ministry accused Mr. Huang of spying for MI6. "
        'The spokesperson said: "These claims are fabricated. They are a smear." '
        "The trial opens on Jan. 9 in the U.S. District Court."
    )
    path = tmp_path / "briefing.txt"
    path.write_text(document, encoding="utf-8")
    result = run("tag", str(path), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3
    # Each sentence gets exactly the label it gets on its own.
    assert [r["stance"] for r in rows] == stance_predict([r["text"] for r in rows])
    assert rows[1]["stance"] == "deny"
    for row in rows:
        assert document[row["start"] : row["end"]] == row["text"]
    piped = run("tag", "-", "--format", "csv", stdin=document)
    assert piped.returncode == 0 and len(list(csv.DictReader(io.StringIO(piped.stdout)))) == 3


def test_explain_command_adds_up(capsys):
    assert main(["explain", "--json", "--top", "5", "The accusations are groundless."]) == 0
    why = json.loads(capsys.readouterr().out)
    assert why["label"] == "deny" and len(why["features"]) == 5
    total = why["intercept"] + sum(f["contribution"] for f in why["features"]) + why["rest"]
    assert abs(total - why["score"]) < 1e-9


def test_evaluate_a_labelled_file(tmp_path, capsys):
    path = tmp_path / "gold.csv"
    path.write_text(
        "text,label\nThe accusations are groundless.,deny\nPolice charged two men with spying.,accuse\n"
        "Talks resume on Monday.,other\nBe vigilant about fake recruiters online.,warn\n",
        encoding="utf-8",
    )
    assert main(["evaluate", "--data", str(path)]) == 0
    out = capsys.readouterr().out
    assert "macro-F1 1.000" in out and "confusion" in out
    assert main(["evaluate", "--data", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["n"] == 4 and summary["confusion"][0] == [1, 0, 0, 0]


@pytest.mark.parametrize(
    "name, content, args, words",
    [
        ("empty.csv", b"", [], "empty.csv: the file is empty"),
        ("cols.csv", b"id,body\n1,hi\n", [], "line 1: no column 'text'; the columns are 'id', 'body'"),
        ("cols.csv", b"id,body\n1,hi\n", ["--column", "nope"], "no column 'nope'"),
        ("latin.csv", b"id,text\n1,ok\n2,caf\xe9\n", [], "latin.csv, line 3: cannot decode byte"),
        ("long.csv", b"text\nok\n" + b"x" * 20_001 + b"\n", [], "line 3, column 'text': the statement is 20,001 characters"),
        ("open.csv", b'text\n"never closed\nok\n', [], "open.csv, line 2: malformed CSV"),
        ("ragged.csv", b"id,text\n1,ok,extra\n", [], "line 2: 3 fields where the header has 2"),
        ("bad.jsonl", b'{"text": "ok"}\n[1, 2]\n', [], "bad.jsonl, line 2: a JSON list where an object was expected"),
        ("null.jsonl", b'{"text": "ok"}\n{"text": null}\n', [], "line 2, column 'text': the statement is null"),
        ("missing.csv", None, [], "missing.csv: no such file"),
    ],
)
def test_input_errors_name_file_line_and_column_and_leave_no_output(tmp_path, name, content, args, words):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out.csv"
    result = run("predict", "--input", str(path), "--output", str(out), *args)
    assert result.returncode == 1, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ([name] if content is not None else [])


def test_a_failed_run_keeps_the_previous_output(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("previous\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"text\nfine\n" + b"\xff\n")
    assert main(["predict", "-i", str(bad), "-o", str(out)]) == 1
    assert out.read_text(encoding="utf-8") == "previous\n"


@pytest.mark.parametrize(
    "args, words",
    [
        (["predict", "--min-confidence", "1.5", "x"], "must be between 0 and 1"),
        (["predict", "--input", "{tmp}/a.csv", "x"], "not both"),
        (["predict", "--top", "-1", "x"], "--top must be 0 or more"),
        (["evaluate", "--data", "{tmp}/a.txt"], "CSV, TSV or JSON Lines"),
        (["tag"], "the following arguments are required: document"),
    ],
)
def test_usage_errors_exit_2(tmp_path, args, words):
    (tmp_path / "a.txt").write_text("x\n", encoding="utf-8")
    result = run(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.returncode == 2, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content, words",
    [
        (b"text,label\nThe claims are false.,maybe\n", "line 2, column 'label': unknown label 'maybe'"),
        (b"text,gold\nThe claims are false.,deny\n", "no label column 'label'"),
    ],
)
def test_evaluate_data_errors(tmp_path, content, words):
    path = tmp_path / "gold.csv"
    path.write_bytes(content)
    result = run("evaluate", "--data", str(path))
    assert result.returncode == 1 and words in result.stderr and "Traceback" not in result.stderr


def test_explain_and_evaluate_in_a_subprocess(tmp_path):
    explained = run("explain", "--top", "3", "The accusations are groundless.")
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.splitlines()[1].startswith("deny (p=") and "intercept" in explained.stdout
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"text": "The accusations are groundless.", "label": "deny"}\n', encoding="utf-8")
    evaluated = run("evaluate", "--data", str(gold), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["n"] == 1
