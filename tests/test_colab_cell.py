"""The chapters' first cell in Colab or a fresh Jupyter (issue 18.2), run offline against this checkout.

`nnbook/book/colab_cell.py` writes the cell; here it runs in a fresh virtual environment in which
`nnbook` cannot be imported:
* with a repository configured it installs nnbook (here: a wheel built from this checkout, pip offline
  with `--no-index`; its dependencies come from the project's venv, with nnbook itself filtered out),
  says so in one line, and the chapter's own first line, `import nnbook; nnbook.setup(...)`, then works;
  run again, it does nothing;
* with no repository configured it stops with one sentence on how to install nnbook.
And every chapter notebook carries the cell, the same in both twins, for the configured repository.
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from nnbook.book.colab_cell import CELL_ID, INSTALLING, NOT_INSTALLED, bootstrap_cell, bootstrap_source
from nnbook.book.repository import configured_repository, pip_source, real_url
from notebooks import NAMES, ROOT, load, notebooks


def _run(python, code, cwd, env):
    return subprocess.run([str(python), "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    """(python of a fresh venv without nnbook, a wheel of this checkout, a clean environment, a cwd)."""
    tmp = tmp_path_factory.mktemp("colab")
    # The dependencies: the project's site-packages without nnbook (no dist-info, no editable finder).
    site = Path(sysconfig.get_paths()["purelib"])
    deps = tmp / "deps"
    deps.mkdir()
    for entry in site.iterdir():
        if entry.name.lower().startswith(("nnbook", "__editable__")) or entry.suffix == ".pth":
            continue
        (deps / entry.name).symlink_to(entry)
    # A wheel of this checkout, built from a copy (the worktree stays clean), offline.
    src = tmp / "src"
    shutil.copytree(ROOT / "nnbook", src / "nnbook", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    wheels = tmp / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", "-w", str(wheels), str(src)], check=True, timeout=300)
    wheel = next(wheels.glob("nnbook-*.whl"))
    # The fresh venv (its own pip, offline), seeing the dependencies through a .pth file.
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    venv_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                    capture_output=True, text=True, check=True).stdout.strip())
    (venv_site / "project_deps.pth").write_text(str(deps) + "\n")
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp), "PIP_NO_INDEX": "1",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg",
           "TQDM_DISABLE": "1"}
    work = tmp / "work"
    work.mkdir()
    probe = _run(python, "import importlib.util, numpy, matplotlib, yaml; "
                         "print(importlib.util.find_spec('nnbook'))", work, env)
    assert probe.returncode == 0 and probe.stdout.strip() == "None", probe.stdout + probe.stderr
    return python, wheel, env, work, venv_site


def test_with_no_repository_the_cell_says_how_to_install(fresh_venv):
    """(Runs before the install test below, while the fresh venv has no nnbook.) In the twin's language."""
    python, _, env, work, venv_site = fresh_venv
    assert not (venv_site / "nnbook").exists()
    for lang in ("ko", "en"):
        proc = _run(python, bootstrap_source("", lang), work, env)
        assert proc.returncode == 1 and proc.stdout == ""
        err = proc.stderr.strip()
        assert err == NOT_INSTALLED[lang], err
        assert err.count(". ") == 0 and err.endswith("."), "one sentence"
    assert any("\uac00" <= ch <= "\ud7a3" for ch in NOT_INSTALLED["ko"])


def test_the_cell_installs_nnbook_where_it_is_missing(fresh_venv):
    python, wheel, env, work, venv_site = fresh_venv
    code = bootstrap_source(str(wheel))
    first = _run(python, code + "\nimport nnbook\nnnbook.setup(lang='ko')\nprint(nnbook.__file__)", work, env)
    assert first.returncode == 0, first.stdout + first.stderr
    lines = first.stdout.strip().splitlines()
    assert lines[0] == INSTALLING["en"].format(wheel), lines
    assert len(lines) == 2 and lines[1].startswith(str(venv_site)), f"nnbook not from the fresh venv: {lines}"
    again = _run(python, code, work, env)
    assert again.returncode == 0 and again.stdout == "", "the cell must do nothing where nnbook is installed"


def test_pip_source_of_a_repository():
    assert real_url("https://github.com/nnbook/nnbook") == ""          # the old placeholder
    assert pip_source("") == ""
    assert pip_source("https://github.com/owner/book/", "main") == \
        "https://github.com/owner/book/archive/refs/heads/main.zip"
    assert pip_source("https://gitlab.com/owner/book.git", "dev") == "git+https://gitlab.com/owner/book@dev"


def test_every_chapter_starts_with_the_cell():
    """Run `python -m nnbook.book.colab_cell chapters/*/*.ipynb` after changing repository.url."""
    url, branch = configured_repository(ROOT)
    wrong = []
    for lang in ("ko", "en"):
        want = bootstrap_cell(pip_source(url, branch), lang)
        for path in notebooks(lang):
            cells = load(path)["cells"]
            first = next(c for c in cells if c["cell_type"] == "code")
            src = "".join(first["source"]) if isinstance(first["source"], list) else first["source"]
            if first.get("id") != CELL_ID or src != "".join(want["source"]) or \
                    first.get("metadata", {}).get("tags") != ["remove-cell"]:
                wrong.append(path.relative_to(ROOT).as_posix())
    assert len(notebooks("ko")) == len(NAMES)
    assert not wrong, "first code cell is not the bootstrap cell (python -m nnbook.book.colab_cell " \
                      "chapters/*/*.ipynb): " + ", ".join(wrong)


def test_updating_the_cell_keeps_its_execution_record(tmp_path):
    """A new version of the cell (e.g. another repository) replaces the code, not the record that the
    notebook was executed (the cell prints nothing where nnbook is installed)."""
    from nnbook.book.colab_cell import update_notebook
    old = bootstrap_cell("", "en")
    old["execution_count"] = 1
    old["metadata"]["execution"] = {"iopub.execute_input": "2026-11-30T00:00:00Z"}
    nb = {"cells": [{"cell_type": "markdown", "id": "m", "metadata": {}, "source": ["# 1"]}, old],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "en" / "01_x.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert update_notebook(path, "https://example.org/book.zip")
    cell = json.loads(path.read_text(encoding="utf-8"))["cells"][1]
    assert cell["id"] == CELL_ID and '"https://example.org/book.zip"' in "".join(cell["source"])
    assert cell["execution_count"] == 1 and cell["metadata"]["execution"] == old["metadata"]["execution"]
