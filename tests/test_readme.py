"""The README's curl examples run as written in a shell that does not split words (zsh)."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
PROFILE = ROOT / "tests" / "fixtures" / "upload" / "profile.csv"
# zsh does not split an unquoted $H into words; sh with an empty IFS behaves the same, so the
# examples are checked that way where zsh is not installed.
SHELLS = {"sh, no word splitting": ["sh", "-c", "IFS=''\n" + '. "$0"']}
if shutil.which("zsh"):
    SHELLS["zsh"] = ["zsh"]


def _block_after(words: str) -> str:
    """Return the first fenced code block after `words` in the README."""
    start = README.index(words)
    match = re.search(r"```\w*\n(.*?)```", README[start:], re.S)
    assert match, words
    return match.group(1)


def _run(script: str, *, shell: list[str], server: str, tenant: str, cwd: Path) -> list[dict]:
    address = urlsplit(server).netloc
    script = script.replace("localhost:8000", address).replace("acme", tenant)
    script = script.replace("tests/fixtures/upload/profile.csv", str(PROFILE))
    path = cwd / "example.sh"
    path.write_text(script.replace("\\\n", " "))
    done = subprocess.run(
        [*shell, str(path)], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    # curl prints the answers back to back; every one is JSON (a split-dependent example got a
    # plain-text 400 from curl's mangled request instead).
    answers, text, decoder = [], done.stdout.strip(), json.JSONDecoder()
    while text:
        answer, end = decoder.raw_decode(text)
        answers.append(answer)
        text = text[end:].lstrip()
    return answers


@pytest.mark.parametrize("shell", list(SHELLS))
def test_seed_dataset_and_upload_examples_work_without_word_splitting(
    shell: str, server: str, tenant: str, tmp_path: Path
) -> None:
    run = {"shell": SHELLS[shell], "server": server, "tenant": tenant, "cwd": tmp_path}
    listed, loaded, status, reloaded, removed = _run(
        _block_after("The examples keep the identity in a file"), **run
    )
    assert "starbucks" in [d["key"] for d in listed["datasets"]]
    assert loaded["datasetKey"] == "starbucks" and status["status"] == "completed"
    assert reloaded["seed"] == 7 and removed["message"].endswith("removed successfully")

    load = "curl -s -X POST localhost:8000/api/v1/seed-dataset/starbucks -H @admin.headers\n"
    loaded, uploaded = _run(load + _block_after("with starbucks loaded"), **run)
    # The whole history belonged to the generated customers the file replaces.
    removed = uploaded["interactionsRemoved"]
    assert uploaded["rowsInserted"] == 10 and removed == loaded["counts"]["interactions"]
    assert f'"interactionsRemoved":{removed}}}' in README
