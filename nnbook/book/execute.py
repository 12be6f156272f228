"""Re-execute notebooks in place in a fresh kernel, as nbval will (for authors: `make execute`).

    python -m nnbook.book.execute chapters/ko/01_cnn_theory.ipynb ...

Widget state is not saved into the notebook: the HTML book shows the precomputed slider view
instead, so it needs no widget manager from a CDN (see nnbook/widgets.py).
"""
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def coalesce_streams(nb):
    """Merge each cell's consecutive stdout (or stderr) outputs into one, in place.

    How a cell's printed lines are split into outputs depends on the timing of the kernel's
    messages; merged, a re-run gives the same notebook file.
    """
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            if (out.output_type == "stream" and merged and merged[-1].output_type == "stream"
                    and merged[-1].name == out.name):
                merged[-1].text += out.text
            else:
                merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged
    return nb


def execute(path, timeout=600):
    """Run the notebook at `path` top to bottom in a fresh kernel and write it back."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=False)
    start = time.perf_counter()
    client.execute()
    coalesce_streams(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(paths):
    for p in paths:
        seconds = execute(p)
        print(f"{p}: executed in {seconds:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
