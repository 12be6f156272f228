# The repository's pytest set-up: nbval learns the tolerances that cells declare (tests/nbval_tolerance.py);
# pytester lets tests/test_nbval_tolerance.py run nbval on small notebooks of its own.
pytest_plugins = ["nbval_tolerance", "pytester"]
