"""The command line (stance.cli), through its function and real subprocesses."""

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
    result = run("predict", "--format", "csv", stdin="The accusations are groundless.\n\nPolice charged two men with spying.\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("text,stance,p_")
    assert [line.split(",")[1] for line in lines[1:]] == ["deny", "other", "accuse"]


def test_predict_table_output(capsys):
    assert main(["predict", "The accusations are groundless."]) == 0
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
    with pytest.raises(SystemExit) as info:
        main(["predict"])
    assert info.value.code == 2
    assert "standard input" in capsys.readouterr().err


def test_installed_console_script_runs():
    script = pathlib.Path(sys.executable).parent / "stance"
    if not script.exists():
        pytest.skip("stance is not installed as a console script in this environment")
    result = subprocess.run([str(script), "predict", "The accusations are groundless."], capture_output=True, text=True, cwd="/")
    assert result.returncode == 0 and result.stdout.startswith("deny")
