"""The built wheel carries its model and corpus and works outside the checkout."""

import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_predicts_from_another_directory(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("stance-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    names = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    for required in (
        "stance/models/stance-model.npz",
        "stance/models/stance-model.joblib",
        "stance/models/stance-model.json",
        "stance/datasets/statements.csv",
        "stance/datasets/CODEBOOK.md",
    ):
        assert required in names
    code = (
        "import stance, pathlib; "
        "assert pathlib.Path(stance.__file__).is_relative_to(pathlib.Path(r'%s')), stance.__file__; "
        "print(stance.predict('The spokesperson said the allegations were entirely groundless.')); "
        "print(len(stance.load_corpus()))"
    ) % target
    env = dict(os.environ, PYTHONPATH=str(target))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    label, size = result.stdout.split()
    assert label == "deny" and int(size) >= 2400
    script = target / "bin" / "stance"
    result = subprocess.run([str(script), "info"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "corpus:" in result.stdout
