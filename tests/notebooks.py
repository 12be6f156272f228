"""Helpers for the tests that read the chapter notebooks (no execution)."""
import io
import json
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
NAMES = ["01_cnn_theory", "02_cnn_code", "03_rnn_theory", "04_rnn_code", "05_lstm_theory",
         "06_lstm_code"]


def notebooks(lang):
    return sorted((CHAPTERS / lang).glob("*.ipynb"))


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cell_source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def code_without_comments(src):
    """Code lines with comments and blank lines removed (twins may differ only in comments)."""
    toks = list(tokenize.generate_tokens(io.StringIO(src).readline))
    comments = {}
    for t in toks:
        if t.type == tokenize.COMMENT:
            comments.setdefault(t.start[0], t.start[1])
    out = []
    for i, line in enumerate(src.splitlines(), start=1):
        if i in comments:
            line = line[: comments[i]]
        if line.strip():
            out.append(line.rstrip())
    return out
