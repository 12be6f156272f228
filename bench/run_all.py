"""Print every performance figure of the book in one run (`make bench`).

Runs each `bench/bench_*.py` in turn, in its own process, and prints its output under a header with
the date and the machine, so the README's performance section can quote it.
"""
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    print(f"nnbook benchmarks — {datetime.date.today().isoformat()}, {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n## {script.name}", flush=True)
        subprocess.run([sys.executable, str(script)], check=True)


if __name__ == "__main__":
    main()
