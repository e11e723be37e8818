"""``make test`` on a machine without Chromium: install it or say, in one line, what to run."""

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make(*args):
    return subprocess.run(  # noqa: S603 - the project's own Makefile, fixed arguments
        [shutil.which("make"), "--no-print-directory", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_make_test_stops_at_once_with_the_command_to_run_when_chromium_is_missing(tmp_path):
    missing = str(tmp_path / "chromium")

    result = make("test", f"CHROMIUM_PATH={missing}", "PYTEST_ARGS=--collect-only -q tests/test_home.py")

    assert result.returncode != 0
    # make's own lines ("make: ***", or "make[1]: ***" when the suite itself runs under make).
    lines = [line for line in result.stderr.splitlines() if not re.match(r"make(\[\d+\])?: ", line)]
    assert lines == [
        f"The browser tests need Chromium at {missing}: run 'sudo apt-get install chromium-headless-shell' "
        "(or set CHROMIUM_PATH to a Chromium binary), then make test again."
    ]
    assert "test_home" not in result.stdout  # pytest never started


def test_make_test_goes_on_when_chromium_is_there():
    result = make("chromium")

    assert result.returncode == 0, result.stderr
