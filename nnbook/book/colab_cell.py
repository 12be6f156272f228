"""The first code cell of every chapter notebook: install nnbook where it is missing (Colab, a fresh Jupyter).

    python -m nnbook.book.colab_cell chapters/*/*.ipynb        # insert or update the cell in place

The cell is the same in both twins. Where `nnbook` is importable (the project's `.venv`, `make lab`, nbval)
it does nothing and prints nothing. Where it is not:

* with a repository configured (`repository.url` in `_config.yml`, see `repository.py`), it installs the
  nnbook package from that repository with its own light dependencies (NumPy, Matplotlib, PyYAML,
  threadpoolctl, and koreanize-matplotlib for the Korean font) and says so in one line; it leaves PyTorch
  alone (Colab already has it; requirements.txt pins it only for the project's own machines);
* with none, it stops with one sentence on how to install nnbook.

After changing `repository.url`, run the command above again (and re-run nbval: the cell prints nothing
where nnbook is installed, so the committed outputs stay as they are). In the HTML book the cell is hidden
(tag `remove-cell`).
"""
import json
import sys
from pathlib import Path

from .repository import configured_repository, pip_source

__all__ = ["CELL_ID", "bootstrap_source", "bootstrap_cell", "update_notebook", "main"]

CELL_ID = "nnbook-bootstrap"
EXTRA = ["koreanize-matplotlib"]      # light, not in Colab: the NanumGothic font of the Korean figures
NOT_INSTALLED = ("nnbook is not installed here, and this copy of the book names no repository to install it "
                 "from: in a clone of the book's repository run `pip install .` (or `make lab`) and open "
                 "this notebook again.")

_TEMPLATE = '''\
# Colab or a fresh Jupyter: install nnbook if it is missing (does nothing where nnbook is installed).
import importlib.util, subprocess, sys
NNBOOK_SOURCE = {source}
if importlib.util.find_spec("nnbook") is None:
    if not NNBOOK_SOURCE:
        raise SystemExit({message})
    print(f"Installing nnbook and its light dependencies (not PyTorch) from {{NNBOOK_SOURCE}}")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", NNBOOK_SOURCE, {extra}], check=True)
    importlib.invalidate_caches()'''


def bootstrap_source(source):
    """The cell's code for a pip source ("" when no repository is configured)."""
    return _TEMPLATE.format(source=json.dumps(source), message=json.dumps(NOT_INSTALLED, ensure_ascii=False),
                            extra=", ".join(json.dumps(e) for e in EXTRA))


def bootstrap_cell(source):
    """The notebook cell (nbformat 4.5 dict) holding `bootstrap_source(source)`."""
    return {"cell_type": "code", "execution_count": None, "id": CELL_ID,
            "metadata": {"nnbook": {"bootstrap": True}, "tags": ["remove-cell"]},
            "outputs": [], "source": bootstrap_source(source).splitlines(keepends=True)}


def _is_bootstrap(cell):
    return cell.get("id") == CELL_ID or bool(cell.get("metadata", {}).get("nnbook", {}).get("bootstrap"))


def update_notebook(path, source):
    """Insert the cell before the first code cell of `path` (or replace the one there); True if changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    cells = [c for c in nb["cells"] if not _is_bootstrap(c)]
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    cells.insert(first_code, bootstrap_cell(source))
    nb["cells"] = cells
    new = json.dumps(nb, ensure_ascii=False, indent=1) + "\n"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv=None):
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    url, branch = configured_repository()
    source = pip_source(url, branch)
    print(f"repository: {url or '(none configured)'}; pip source: {source or '(none)'}")
    for p in paths:
        print(f"{p}: {'updated' if update_notebook(p, source) else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
