"""How heavy the book is: each notebook, and each chapter page of the built HTML with the images it loads.

    python -m nnbook.book.sizes            # after `jupyter-book build .` (make book runs it)

Budgets (issue 17): every notebook <= 3 MB, every chapter page with its images <= 4 MB. Exits 1 if one
is over.
"""
import re
import sys
from pathlib import Path

NOTEBOOK_BUDGET = 3 * 2**20
PAGE_BUDGET = 4 * 2**20


def page_size(html_path):
    """Bytes of a built page plus the local images it references (slider frames are inline)."""
    text = html_path.read_text(encoding="utf-8")
    total = len(text.encode("utf-8"))
    for src in set(re.findall(r'<img[^>]+src="([^"#?]+)"', text)):
        if not src.startswith(("data:", "http:", "https:")):
            image = (html_path.parent / src).resolve()
            if image.is_file():
                total += image.stat().st_size
    return total


def report(root="."):
    """Lines of the report and whether everything is within budget."""
    root = Path(root)
    lines, ok = [], True
    for nb in sorted(root.glob("chapters/*/*.ipynb")):
        size = nb.stat().st_size
        ok &= size <= NOTEBOOK_BUDGET
        lines.append(f"{nb.relative_to(root)}: {size / 2**20:.2f} MB (notebook, budget 3 MB)")
    for page in sorted((root / "_build" / "html").glob("chapters/*/*.html")):
        size = page_size(page)
        ok &= size <= PAGE_BUDGET
        lines.append(f"{page.relative_to(root)}: {size / 2**20:.2f} MB (page with its images, budget 4 MB)")
    return lines, ok


def main():
    lines, ok = report()
    print("\n".join(lines))
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
