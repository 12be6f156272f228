"""Find a Chromium or Chrome for the browser tests; install Debian's only where that is possible.

    python tests/browser_deps.py          # what `make test` runs first (the Makefile's browser-deps)

Looks at $NNBOOK_CHROMIUM, then `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable`
on the PATH, then macOS's Google Chrome / Chromium apps. If none is found and this is root on a
Debian-like system with apt-get, installs Debian's `chromium` (what CI does). Otherwise it says in one
sentence how to enable the browser test, and exits 0: the other tests run, the browser test skips.
tests/test_browser.py uses `find_browser()` from here.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
MAC_APPS = ["/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
            "/Applications/Chromium.app/Contents/MacOS/Chromium"]
SKIP_MESSAGE = ("No Chromium or Chrome found, so the browser tests will be skipped; to run them, install Chromium "
                "(Debian/Ubuntu: apt-get install chromium) or Google Chrome, or set NNBOOK_CHROMIUM=/path/to/chrome.")


def find_browser():
    """Path of a Chromium/Chrome executable, or None."""
    explicit = os.environ.get("NNBOOK_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    for app in MAC_APPS:
        if Path(app).exists():
            return app
    return None


def can_install():
    """Root on a Debian-like system with apt-get: the one case where we install the browser ourselves."""
    return (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None
            and Path("/etc/debian_version").exists())


def main():
    browser = find_browser()
    if browser is None and can_install():
        print("Installing Debian's chromium for the browser tests (apt-get, as root) ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, stdout=subprocess.DEVNULL)
        browser = find_browser()
    print(f"Browser for the browser tests: {browser}" if browser else SKIP_MESSAGE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
