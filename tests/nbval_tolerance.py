"""nbval with stated tolerances: a cell may declare how far a number it prints may move.

nbval compares every output of a re-run notebook with the committed one, character by character.
That is right for shapes, counts, words and claims, but a trained accuracy or loss moves in its last
digits when the CPU's numeric kernels differ (another vendor, another vector width). A cell that
prints such a number says so in its metadata, with the measured reason:

    "metadata": {"nnbook": {"tolerance": [
        {"pattern": "accuracy (\\d+\\.\\d+)%", "abs": 1.0,
         "why": "one test image is 0.22 points; other-CPU runs moved it by 0.22"}]}}

Each rule: `abs` and/or `rel` (a number passes if it is within either), `why` (required), and an
optional `pattern`, a regular expression: only the numbers inside its match (inside its first group,
if it has one) get the tolerance; a rule without a pattern covers every decimal number of the cell.
Integers (no decimal point or exponent) stay exact unless a pattern covers them explicitly.
Everything else - every word, every other number, the number of lines - is compared exactly.

How it works: before nbval compares a cell's outputs, each number of the new output that is within
its tolerance of the committed one is replaced by the committed text; anything else is left as it
is, so nbval reports the difference as usual. Loaded by the repository's conftest.py.
"""
import copy
import re

METADATA_KEY = "nnbook"
NUMBER = re.compile(r"(?<![A-Za-z_.\d])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
TEXT_MIMES = ("text/plain", "text/html", "text/markdown")


class ToleranceError(ValueError):
    """A cell's tolerance metadata is malformed."""


def cell_rules(cell):
    """The validated tolerance rules of a notebook cell (a dict or nbformat node); [] if none."""
    meta = cell.get("metadata", {}).get(METADATA_KEY, {})
    rules = meta.get("tolerance", []) if isinstance(meta, dict) else []
    if isinstance(rules, dict):
        rules = [rules]
    checked = []
    for rule in rules:
        rule = dict(rule)
        if not str(rule.get("why", "")).strip():
            raise ToleranceError(f"tolerance rule {rule} has no 'why' (the measured reason)")
        if "abs" not in rule and "rel" not in rule:
            raise ToleranceError(f"tolerance rule {rule} has neither 'abs' nor 'rel'")
        for key in ("abs", "rel"):
            if key in rule and not (isinstance(rule[key], (int, float)) and rule[key] > 0):
                raise ToleranceError(f"tolerance rule {rule}: {key} must be a positive number")
        if "pattern" in rule:
            rule["regex"] = re.compile(rule["pattern"])
        checked.append(rule)
    return checked


def _covered(text, start, end, rule):
    """Whether the number at text[start:end] lies inside a match of the rule's pattern."""
    for m in rule["regex"].finditer(text):
        lo, hi = (m.span(1) if m.re.groups else m.span())
        if lo <= start and end <= hi:
            return True
    return False


def _within(ref, new, rule):
    diff = abs(float(ref) - float(new))
    return diff <= rule.get("abs", -1.0) or diff <= rule.get("rel", -1.0) * abs(float(ref))


def align_text(ref, new, rules):
    """`new` with each number that is within tolerance of `ref`'s number replaced by `ref`'s text.

    Numbers are paired in order; if the two texts do not have the same words around the same
    count of numbers, `new` is returned as it is (nbval then reports the difference).
    """
    ref_nums, new_nums = list(NUMBER.finditer(ref)), list(NUMBER.finditer(new))
    if len(ref_nums) != len(new_nums) or NUMBER.split(ref) != NUMBER.split(new):
        return new
    pieces, last = [], 0
    for r, n in zip(ref_nums, new_nums):
        pieces.append(new[last:n.start()])
        token = n.group()
        if r.group() != token:
            is_integer = not re.search(r"[.eE]", r.group() + token)
            for rule in rules:
                if "regex" in rule:
                    ok = _covered(ref, r.start(), r.end(), rule)
                else:
                    ok = not is_integer
                if ok and _within(r.group(), token, rule):
                    token = r.group()
                    break
        pieces.append(token)
        last = n.end()
    pieces.append(new[last:])
    return "".join(pieces)


def _text(value):
    return "".join(value) if isinstance(value, list) else value


def apply_tolerance(test, ref, rules):
    """A copy of the re-run outputs `test` aligned to the committed outputs `ref` (lists of outputs)."""
    if not rules or len(test) != len(ref):
        return test
    aligned = []
    for new, old in zip(test, ref):
        new = copy.deepcopy(new)
        if new.get("output_type") != old.get("output_type"):
            aligned.append(new)
            continue
        if new.get("output_type") == "stream" and new.get("name") == old.get("name"):
            new["text"] = align_text(_text(old["text"]), _text(new["text"]), rules)
        for mime in TEXT_MIMES:
            if mime in new.get("data", {}) and mime in old.get("data", {}):
                new["data"][mime] = align_text(_text(old["data"][mime]), _text(new["data"][mime]), rules)
        aligned.append(new)
    return aligned


def pytest_configure(config):
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:          # nbval not installed: nothing to extend
        return
    if getattr(IPyNbCell, "_nnbook_tolerance", False):
        return
    original = IPyNbCell.compare_outputs

    def compare_outputs(self, test, ref, skip_compare=None):
        return original(self, apply_tolerance(test, ref, cell_rules(self.cell)), ref, skip_compare)

    IPyNbCell.compare_outputs = compare_outputs
    IPyNbCell._nnbook_tolerance = True
