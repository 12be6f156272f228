# The repository's pytest set-up: nbval learns the tolerances that cells declare (tests/nbval_tolerance.py);
# pytester lets tests/test_nbval_tolerance.py run nbval on small notebooks of its own.
import datetime
import json
from pathlib import Path

pytest_plugins = ["nbval_tolerance", "pytester"]

# Seconds a test file takes on a 2-core machine, for the files that take more than a few (measured with
# `pytest --durations`; only the order matters). A notebook's cost is read from its own cells' timing.
SLOW_TEST_FILES = {"test_browser.py": 100, "test_colab_cell.py": 20, "test_scratch_cnn.py": 20,
                   "test_jupyterlab.py": 15, "test_nbval_tolerance.py": 10}


def notebook_seconds(path):
    """How long a committed notebook's cells ran when it was executed (nbclient's timing metadata)."""
    total = 0.0
    for cell in json.loads(Path(path).read_text(encoding="utf-8"))["cells"]:
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            start, end = (datetime.datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                          for k in ("iopub.execute_input", "shell.execute_reply"))
            total += (end - start).total_seconds()
    return total


def pytest_collection_modifyitems(config, items):
    """The longest files first. `make test` hands whole files to two workers (`--dist loadfile
    --no-loadscope-reorder`), each taking the next file when it is done; starting with the long ones
    keeps one worker from running a long notebook alone at the end."""
    cost = {}
    for item in items:
        path = Path(str(item.fspath))
        if path not in cost:
            cost[path] = notebook_seconds(path) if path.suffix == ".ipynb" else SLOW_TEST_FILES.get(path.name, 1)
    items.sort(key=lambda item: -cost[Path(str(item.fspath))])     # stable: files of equal cost keep their order
