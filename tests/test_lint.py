"""The code passes its own linters: ruff (lint and format) and mypy, with pyproject's settings."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_ruff_finds_nothing() -> None:
    lint = _run("ruff", "check", "src", "tests", "bench")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    style = _run("ruff", "format", "--check", "src", "tests", "bench")
    assert style.returncode == 0, style.stdout + style.stderr


def test_mypy_finds_nothing() -> None:
    checked = _run(sys.executable, "-m", "mypy", "src")
    assert checked.returncode == 0, checked.stdout + checked.stderr
