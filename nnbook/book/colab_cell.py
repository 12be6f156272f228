"""The first code cell of every chapter notebook: install nnbook where it is missing (Colab, a fresh Jupyter).

    python -m nnbook.book.colab_cell chapters/*/*.ipynb        # insert or update the cell in place

The cell is the same in both twins but for the "ko"/"en" switch (its messages in the notebook's language). Where `nnbook` is importable (the project's `.venv`, `make lab`, nbval)
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

__all__ = ["CELL_ID", "bootstrap_source", "bootstrap_cell", "notebook_language", "update_notebook", "main"]

CELL_ID = "nnbook-bootstrap"
EXTRA = ["koreanize-matplotlib"]      # light, not in Colab: the NanumGothic font of the Korean figures
NOT_INSTALLED = {
    "ko": ("이 환경에는 nnbook이 설치되어 있지 않고 이 책 사본에는 nnbook을 설치해 올 저장소가 지정되어 있지 "
           "않으니, 책 저장소를 클론한 곳에서 `pip install .`(또는 `make lab`)을 실행한 다음 이 노트북을 다시 열자."),
    "en": ("nnbook is not installed here, and this copy of the book names no repository to install it "
           "from: in a clone of the book's repository run `pip install .` (or `make lab`) and open "
           "this notebook again."),
}
INSTALLING = {"ko": "nnbook과 가벼운 의존 패키지를 설치한다 (PyTorch는 설치하지 않는다): {}",
              "en": "Installing nnbook and its light dependencies (not PyTorch) from {}"}
COMMENT = {"ko": "# Colab이나 새 Jupyter 환경: nnbook이 없으면 설치한다 (nnbook이 있으면 아무것도 하지 않는다).",
           "en": "# Colab or a fresh Jupyter: install nnbook if it is missing (does nothing where nnbook is installed)."}

_TEMPLATE = '''\
{comment}
import importlib.util, subprocess, sys
NNBOOK_SOURCE = {source}
LANG = {lang}
KOREAN = LANG != "en"
if importlib.util.find_spec("nnbook") is None:
    if not NNBOOK_SOURCE:
        raise SystemExit({not_installed_ko} if KOREAN else
                         {not_installed_en})
    print(({installing_ko} if KOREAN else {installing_en}).format(NNBOOK_SOURCE))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", NNBOOK_SOURCE, {extra}], check=True)
    importlib.invalidate_caches()'''


def bootstrap_source(source, lang="en"):
    """The cell's code for a pip source ("" when no repository is configured), in the twin of `lang`.

    Both twins hold the messages in both languages: their code differs only in the "ko"/"en" switch.
    """
    if lang not in COMMENT:
        raise ValueError(f"lang must be 'ko' or 'en', got {lang!r}")
    def text(s):
        return json.dumps(s, ensure_ascii=False)
    return _TEMPLATE.format(comment=COMMENT[lang], source=json.dumps(source), lang=json.dumps(lang),
                            not_installed_ko=text(NOT_INSTALLED["ko"]), not_installed_en=text(NOT_INSTALLED["en"]),
                            installing_ko=text(INSTALLING["ko"]), installing_en=text(INSTALLING["en"]),
                            extra=", ".join(json.dumps(e) for e in EXTRA))


def bootstrap_cell(source, lang="en"):
    """The notebook cell (nbformat 4.5 dict) holding `bootstrap_source(source, lang)`."""
    return {"cell_type": "code", "execution_count": None, "id": CELL_ID,
            "metadata": {"nnbook": {"bootstrap": True}, "tags": ["remove-cell"]},
            "outputs": [], "source": bootstrap_source(source, lang).splitlines(keepends=True)}


def notebook_language(path):
    """"ko" or "en": the folder a chapter notebook lives in (chapters/ko/..., chapters/en/...)."""
    lang = Path(path).resolve().parent.name
    if lang not in COMMENT:
        raise ValueError(f"{path}: a chapter notebook lives in chapters/ko or chapters/en")
    return lang


def _is_bootstrap(cell):
    return cell.get("id") == CELL_ID or bool(cell.get("metadata", {}).get("nnbook", {}).get("bootstrap"))


def update_notebook(path, source):
    """Insert the cell before the first code cell of `path` (or replace the one there); True if changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    old = [c for c in nb["cells"] if _is_bootstrap(c)]
    cells = [c for c in nb["cells"] if not _is_bootstrap(c)]
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    cell = bootstrap_cell(source, notebook_language(path))
    if old and old[0].get("execution_count") is not None:
        # Where nnbook is installed (where the notebooks are executed) every version of the cell does
        # nothing and prints nothing, so the record of its last execution still holds for the new code.
        cell["execution_count"] = old[0]["execution_count"]
        if "execution" in old[0].get("metadata", {}):
            cell["metadata"]["execution"] = old[0]["metadata"]["execution"]
    cells.insert(first_code, cell)
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
