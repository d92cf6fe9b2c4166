#!/usr/bin/env python
"""Open a SafeText `report.html` in headless Chromium and check it as a person would see it:
the page loads, every image decodes (naturalWidth > 0), the summary table is there.

    python scripts/check_report_browser.py outputs/eval/report.html [--screenshot shot.png]

Chromium comes from Debian (`apt-get install chromium`); set CHROMIUM to use another binary.
Exit status 0 when the page passes, 1 when it does not, 2 when Chromium is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=10000",
]
# Runs in the page after load and writes what it found into the DOM for --dump-dom to return.
PROBE = """<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const result = {
    title: document.title,
    images: images.length,
    broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).length,
    tables: document.querySelectorAll("table").length,
    summary_rows: document.querySelectorAll("table.summary tbody tr").length,
    headings: Array.from(document.querySelectorAll("h2")).map(h => h.textContent),
  };
  const pre = document.createElement("pre");
  pre.id = "safetext-check";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
});
</script>"""


def find_chromium() -> str | None:
    candidates = [os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"]
    return next((found for name in candidates if name and (found := shutil.which(name))), None)


def _run(browser: str, profile: str, extra: list[str], url: str, timeout: float) -> str:
    command = [browser, *FLAGS, f"--user-data-dir={profile}", *extra, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    return done.stdout


def check_report(report: Path, screenshot: Path | None = None, timeout: float = 120) -> dict:
    """Load `report` in headless Chromium; returns what the page showed (raises if Chromium is absent)."""
    browser = find_chromium()
    if browser is None:
        raise FileNotFoundError("chromium not found: apt-get install chromium (or set CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="safetext-browser-") as tmp:
        probed = Path(tmp) / "report.html"
        page = Path(report).read_text(encoding="utf-8")
        probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
        dom = _run(browser, str(Path(tmp) / "profile"), ["--dump-dom"], probed.as_uri(), timeout)
        match = re.search(r'<pre id="safetext-check">(.*?)</pre>', dom, re.S)
        if not match:
            raise RuntimeError(f"the page did not finish loading in Chromium (DOM of {len(dom)} characters)")
        result = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
        if screenshot is not None:
            shot = ["--window-size=1280,2400", f"--screenshot={Path(screenshot).resolve()}", "--hide-scrollbars"]
            _run(browser, str(Path(tmp) / "profile-shot"), shot, Path(report).resolve().as_uri(), timeout)
    result["ok"] = result["images"] > 0 and result["broken"] == 0 and result["summary_rows"] > 0
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", type=Path)
    parser.add_argument("--screenshot", type=Path, help="also save a PNG screenshot of the page")
    args = parser.parse_args(argv)
    try:
        result = check_report(args.report, args.screenshot)
    except FileNotFoundError as err:
        print(err, file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
