"""The package's layers: imports run one way, book machinery -> chapter helpers -> library.

- `nnbook.scratch` (the from-scratch library) imports nothing else of nnbook;
- the chapter helpers (`nnbook.cnn`, `nnbook.rnn`, `nnbook.lstm`, `nnbook.widgets`, `nnbook.config`)
  import no book machinery (`nnbook.book`);
- no notebook imports the book machinery.
"""
import ast
import re
from pathlib import Path

import pytest

from notebooks import cell_source, load, notebooks

PACKAGE = Path(__file__).resolve().parent.parent / "nnbook"


def module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def nnbook_imports(path):
    """The nnbook modules a file imports (relative imports resolved), e.g. {'nnbook.scratch'}."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            found.update(f"{mod}.{a.name}" for a in node.names)
    return {m for m in found if m == "nnbook" or m.startswith("nnbook.")}


def layer(module):
    if module.startswith("nnbook.scratch"):
        return 0
    if module.startswith("nnbook.book"):
        return 2
    return 1


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_run_one_way(path):
    here = layer(module_name(path))
    for imported in nnbook_imports(path):
        if imported == "nnbook":            # the package root re-exports config only
            assert here >= 1, f"{module_name(path)} imports the nnbook package root"
            continue
        assert layer(imported) <= here, f"{module_name(path)} (layer {here}) imports {imported}"


def test_the_scratch_library_imports_only_itself():
    for path in (PACKAGE / "scratch").rglob("*.py"):
        outside = {m for m in nnbook_imports(path) if not m.startswith("nnbook.scratch")}
        assert not outside, f"{module_name(path)} imports {outside}"


def test_the_check_itself_sees_a_wrong_import(tmp_path, monkeypatch):
    bad = PACKAGE / "scratch" / "conv.py"
    src = bad.read_text(encoding="utf-8") + "\nfrom ..cnn import images\n"
    fake = tmp_path / "nnbook" / "scratch" / "conv.py"
    fake.parent.mkdir(parents=True)
    fake.write_text(src, encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path / "nnbook")
    assert "nnbook.cnn" in nnbook_imports(fake)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_no_notebook_imports_the_book_machinery(lang):
    for nb in notebooks(lang):
        for cell in load(nb)["cells"]:
            if cell["cell_type"] == "code":
                assert not re.search(r"\bnnbook\.book\b|from nnbook import book", cell_source(cell)), nb.name
