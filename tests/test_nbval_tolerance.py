"""The tolerance extension of nbval (tests/nbval_tolerance.py): it forgives what a cell declares, nothing else."""
import re

import pytest

from nbval_tolerance import ToleranceError, align_text, apply_tolerance, cell_rules
from notebooks import CHAPTERS, load, notebooks

ACC = {"pattern": r"accuracy (\d+\.\d+)%", "abs": 1.0, "why": "measured"}
LOSS = {"pattern": r"loss (\d+\.\d+)", "rel": 0.05, "why": "measured"}
COMMITTED = "baseline: test accuracy 95.56%, loss 0.4210, shape (64, 10)\n"


def passes(new, rules, ref=COMMITTED):
    return align_text(ref, new, [r | {"regex": re.compile(r["pattern"])} if "pattern" in r else r
                                 for r in rules]) == ref


def test_within_the_stated_tolerance_passes():
    assert passes("baseline: test accuracy 95.33%, loss 0.4300, shape (64, 10)\n", [ACC, LOSS])


@pytest.mark.parametrize("new", [
    "baseline: test accuracy 90.56%, loss 0.4210, shape (64, 10)\n",    # accuracy 5 points off
    "baseline: test accuracy 95.56%, loss 0.8420, shape (64, 10)\n",    # loss doubled
    "baseline: test accuracy 95.56%, loss 0.4210, shape (64, 12)\n",    # a changed shape
    "baseline: train accuracy 95.56%, loss 0.4210, shape (64, 10)\n",   # a changed word
    "baseline: test accuracy 95.56%, loss 0.4210, shape (64, 10)\nmore\n",   # an extra line
])
def test_a_real_change_still_fails(new):
    assert not passes(new, [ACC, LOSS])


def test_numbers_outside_the_pattern_stay_exact():
    # the loss moved by 1% but only the accuracy has a tolerance
    assert not passes("baseline: test accuracy 95.56%, loss 0.4252, shape (64, 10)\n", [ACC])


def test_a_rule_without_pattern_covers_decimals_but_not_integers():
    rule = {"rel": 0.5, "why": "measured"}
    assert passes("baseline: test accuracy 95.00%, loss 0.4000, shape (64, 10)\n", [rule])
    assert not passes("baseline: test accuracy 95.56%, loss 0.4210, shape (65, 10)\n", [rule])


def test_only_the_offending_number_is_left_for_nbval_to_report():
    rules = [ACC | {"regex": re.compile(ACC["pattern"])}]
    new = "baseline: test accuracy 95.33%, loss 0.5000, shape (64, 10)\n"
    assert align_text(COMMITTED, new, rules) == "baseline: test accuracy 95.56%, loss 0.5000, shape (64, 10)\n"


def test_outputs_of_several_kinds_are_aligned():
    rules = cell_rules({"metadata": {"nnbook": {"tolerance": [ACC]}}})
    ref = [{"output_type": "stream", "name": "stdout", "text": "test accuracy 95.56%\n"},
           {"output_type": "execute_result", "data": {"text/plain": "'test accuracy 95.56%'"}}]
    new = [{"output_type": "stream", "name": "stdout", "text": "test accuracy 95.11%\n"},
           {"output_type": "execute_result", "data": {"text/plain": "'test accuracy 96.00%'"}}]
    assert apply_tolerance(new, ref, rules) == ref
    assert new[0]["text"] == "test accuracy 95.11%\n"          # the re-run outputs are not modified


@pytest.mark.parametrize("bad", [{"abs": 1.0}, {"why": "x"}, {"abs": -1, "why": "x"}, {"rel": "5%", "why": "x"}])
def test_malformed_rules_are_refused(bad):
    with pytest.raises(ToleranceError):
        cell_rules({"metadata": {"nnbook": {"tolerance": [bad]}}})


def declared():
    """(notebook, cell id, rule) for every tolerance the chapters declare."""
    found = []
    for lang in ("ko", "en"):
        for path in notebooks(lang):
            for cell in load(path)["cells"]:
                for rule in cell.get("metadata", {}).get("nnbook", {}).get("tolerance", []):
                    found.append((f"{lang}/{path.stem}", cell.get("id"), rule))
    return found


def test_every_declared_tolerance_is_valid_and_the_twins_agree():
    by_cell = {}
    for name, cell_id, rule in declared():
        cell_rules({"metadata": {"nnbook": {"tolerance": [rule]}}})
        by_cell.setdefault(name.split("/")[1], {}).setdefault(name.split("/")[0], []).append(rule)
    for stem, langs in by_cell.items():
        assert langs.get("ko") == langs.get("en"), f"{stem}: the twins declare different tolerances"


def test_every_tolerance_is_listed_in_the_readme():
    readme = (CHAPTERS.parent / "README.md").read_text(encoding="utf-8")
    for name, cell_id, rule in declared():
        if name.startswith("en/"):
            assert f"`{name[3:]}` cell `{cell_id}`" in readme, f"README does not list the tolerance of {name} {cell_id}"


def _notebook(committed, rules):
    import nbformat

    cell = nbformat.v4.new_code_cell('print("test accuracy 95.33%")', execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=committed)]
    if rules:
        cell.metadata["nnbook"] = {"tolerance": rules}
    return nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))


def test_nbval_uses_the_declared_tolerance(pytester, monkeypatch):
    """A real nbval run: within the tolerance passes; 5 points off, or no tolerance, fails."""
    monkeypatch.setenv("PYTHONPATH", str(CHAPTERS.parent / "tests"))
    pytester.makefile(".ipynb", within=_notebook("test accuracy 95.56%\n", [ACC]),
                      too_far=_notebook("test accuracy 90.56%\n", [ACC]),
                      undeclared=_notebook("test accuracy 95.56%\n", []))
    result = pytester.runpytest_subprocess("-p", "nbval_tolerance", "-p", "no:cacheprovider", "--nbval",
                                           "--nbval-current-env")
    result.assert_outcomes(passed=1, failed=2)
    assert "within.ipynb::Cell 0 PASSED" in result.stdout.str() or "1 passed" in result.stdout.str()
