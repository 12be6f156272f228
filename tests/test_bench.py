"""The thread benchmarks run and report what the README's tables are made of (a few calls each: no timing is judged)."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def result(script, *args):
    """The RESULT {...} line of bench/<script>, run with this Python."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], capture_output=True, text=True,
                         check=True, cwd=ROOT, env={**os.environ, "OPENBLAS_NUM_THREADS": "2"}).stdout
    return json.loads(out.splitlines()[-1].removeprefix("RESULT "))


def test_bench_scaling_reports_every_shape_and_thread_count():
    r = result("bench_scaling.py", "--threads", "1,2", "--rounds", "2", "--ignore-cores")
    assert r["threads"] == [1, 2] and len(r["rows"]) == 12
    for row in r["rows"]:
        assert len(row["ms"]) == len(row["median_ms"]) == 2 and all(t > 0 for t in row["ms"])
        assert row["parts"][0] in ("1", "1/1")                        # one thread allowed: one part
    digits = {row["pass"]: row["parts"] for row in r["rows"] if row["shape"] == "N32 C1 8x8 F32 K3 P1"}
    assert digits == {"fwd": ["1", "1"], "f+b": ["1/1", "1/1"]}         # too small to split
    first = {row["pass"]: row["parts"] for row in r["rows"] if row["shape"] == "N64 C3 32x32 F16 K5"}
    assert first == {"fwd": ["1", "2"], "f+b": ["1/1", "2/2"]}


def test_bench_parts_sorts_by_work_and_names_a_part_cost():
    r = result("bench_parts.py", "--rounds", "1")
    works = [row["work"] for row in r["rows"]]
    assert works == sorted(works) and len(works) == 44
    assert r["start"] in works or r["start"] == works[-1] + 1
    assert all(len(row["p10"]) == len(row["median"]) == 2 for row in r["rows"])


def test_bench_conv_reports_the_three_shapes():
    r = result("bench_conv.py", "--threads", "1", "--repeats", "1", "--same-process")
    assert [row["shape"] for row in r["rows"]] == ["N64 C3 32x32 F16 K5", "N64 C16 14x14 F32 K3", "N128 C1 28x28 F8 K3"]
    assert [row["parts_fwd"] for row in r["rows"]] == [1, 1, 1]      # one thread allowed: one part
    assert all(row[k] > 0 for row in r["rows"] for k in ("torch_fwd", "torch_fb", "numpy_fwd", "numpy_fb"))
