"""The book stays light: every notebook <= 3 MB (the built pages are measured by `make book`)."""
from pathlib import Path

from nnbook.book.sizes import NOTEBOOK_BUDGET, page_size, report

ROOT = Path(__file__).resolve().parent.parent


def test_every_notebook_is_within_its_budget():
    lines, ok = report(ROOT)
    assert ok, "\n".join(lines)
    assert sum("(notebook" in line for line in lines) == 12


def test_page_size_counts_local_images(tmp_path):
    (tmp_path / "a.png").write_bytes(b"x" * 1000)
    page = tmp_path / "p.html"
    page.write_text('<img src="a.png"><img src="data:image/png;base64,AAAA">', encoding="utf-8")
    assert page_size(page) == len(page.read_bytes()) + 1000
    assert NOTEBOOK_BUDGET == 3 * 2**20
