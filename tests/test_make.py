"""The Makefile on a reader's machine: no browser and no apt-get is not an error; a wrong Python is one."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def run_make(target, tmp_path, **variables):
    """`make -s target` with a PATH that holds nothing: no browser, no apt-get."""
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "NNBOOK_CHROMIUM"}
    env["PATH"] = str(empty)
    args = [MAKE, "-s", "-C", str(ROOT), target] + [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)


def test_browser_step_without_browser_or_apt_get_skips_with_a_message(tmp_path):
    done = run_make("browser-deps", tmp_path, PY=sys.executable)
    assert done.returncode == 0, done.stderr
    assert "browser tests will be skipped" in done.stdout and "NNBOOK_CHROMIUM" in done.stdout


def test_an_unsupported_python_stops_make_with_one_sentence(tmp_path):
    fake = tmp_path / "python3.9"
    fake.write_text("#!/bin/sh\necho 'Python 3.9.18'\n[ \"$1\" = --version ] && exit 0\necho 0\n")
    fake.chmod(0o755)
    done = run_make("check-python", tmp_path, PYTHON=str(fake))
    assert done.returncode != 0
    assert "needs Python 3.11" in done.stdout + done.stderr


def test_the_supported_python_passes_the_check(tmp_path):
    done = run_make("check-python", tmp_path, PYTHON=sys.executable)
    assert done.returncode == 0, done.stdout + done.stderr
