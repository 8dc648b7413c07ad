"""The system's headless Chromium for the tests of the pages govwatch writes (the weekly report,
the scorecard, the 通报 draft): run with a throw-away profile, a screenshot taken, and a page's
widths measured at 390 and 1280 px. `make sysdeps` installs Chromium (Debian's package)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    if not CHROMIUM:
        pytest.fail(
            "headless Chromium is needed for the report's browser test: "
            "`apt-get install -y chromium fonts-noto-cjk` (make test does it as root via `make sysdeps`)"
        )
    profile = tmp / f"profile-{time.monotonic_ns()}"
    command = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def screenshot(tmp: Path, page: Path, width: int, height: int, name: str) -> Path:
    """The page drawn in a window of width x height px, as tmp/name (a PNG); Chromium must succeed."""
    shot = tmp / name
    result = chromium(tmp, f"--window-size={width},{height}", f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    return shot


HARNESS = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f390" src="{src}" style="width:390px;height:900px;border:0"></iframe>
<iframe id="f1280" src="{src}" style="width:1280px;height:900px;border:0"></iframe>
<pre id="out">pending</pre>
<script>
var seen = 0;
function measure() {{
  seen += 1;
  if (seen < 2) return;
  var out = [];
  ["f390", "f1280"].forEach(function (id) {{
    var d = document.getElementById(id).contentDocument.documentElement;
    out.push(id + "=" + d.scrollWidth + "/" + d.clientWidth);
  }});
  // at 1280 px no table scrolls inside its box either: every column is in view
  var doc = document.getElementById("f1280").contentDocument;
  doc.querySelectorAll(".scroll").forEach(function (box, i) {{
    out.push("scroll" + i + "=" + box.scrollWidth + "/" + box.clientWidth);
  }});
  document.getElementById("out").textContent = out.join(" ");
}}
document.getElementById("f390").onload = measure;
document.getElementById("f1280").onload = measure;
</script></body></html>"""


def widths(tmp: Path, page: Path) -> dict[str, tuple[int, int]]:
    """The page in two frames, 390 and 1280 px wide (HARNESS): each frame's content width and
    its box's width (``f390``, ``f1280``), and at 1280 px each ``.scroll`` box's (``scroll0``, ...)."""
    harness = tmp / f"harness-{page.stem}.html"
    harness.write_text(HARNESS.format(src=page.as_uri()), encoding="utf-8")
    result = chromium(
        tmp,
        "--allow-file-access-from-files",
        "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=5000",
        "--dump-dom",
        harness.as_uri(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    line = dom[dom.index('<pre id="out">') + len('<pre id="out">') : dom.index("</pre>")]
    measured = {}
    for item in line.split():
        name, value = item.split("=")
        content, box = value.split("/")
        measured[name] = (int(content), int(box))
    return measured
