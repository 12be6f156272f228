"""The book's repository: one setting, `repository.url` in `_config.yml`.

With a real URL there, the HTML book shows a repository button and, for a GitHub repository, Colab and
Binder launch buttons (see `sphinx_ext.py`), and every notebook's first cell installs nnbook from it
(see `colab_cell.py`). With no URL (the default: ``url: ""``), or with a known placeholder, the book shows
no such buttons and the first cell says how to install nnbook by hand.
"""
import re
from pathlib import Path

import yaml

__all__ = ["PLACEHOLDERS", "real_url", "configured_repository", "pip_source"]

ROOT = Path(__file__).resolve().parents[2]

# URLs that are not the book's repository: Jupyter Book's own default and the placeholder the book once had.
PLACEHOLDERS = ("https://github.com/nnbook/nnbook", "https://github.com/executablebooks/jupyter-book")


def real_url(url):
    """`url` without a trailing slash or ".git", or "" for an empty or placeholder URL."""
    url = (url or "").strip().rstrip("/")
    url = re.sub(r"\.git$", "", url)
    if not url or url in PLACEHOLDERS:
        return ""
    return url


def configured_repository(root=ROOT):
    """(url, branch) from `<root>/_config.yml`; url is "" when none is configured."""
    config = yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf-8")) or {}
    repo = config.get("repository") or {}
    return real_url(repo.get("url", "")), (repo.get("branch") or "main")


def pip_source(url, branch="main"):
    """What `pip install` gets to install nnbook from the repository `url` ("" for none).

    GitHub: the branch's source archive (no git needed). Another https URL: pip's git syntax.
    A local path (the tests): the path itself.
    """
    url = real_url(url)
    if not url:
        return ""
    if re.match(r"^https://github\.com/[^/]+/[^/]+$", url):
        return f"{url}/archive/refs/heads/{branch}.zip"
    if re.match(r"^[a-z+]+://", url):
        return f"git+{url}@{branch}" if not url.startswith("git+") else f"{url}@{branch}"
    return url
