"""Where the real material lies: GOVWATCH_REAL_DIR, else ../shared/real beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

REAL_DIR = Path(
    os.environ.get("GOVWATCH_REAL_DIR") or Path(__file__).resolve().parents[3] / "shared" / "real"
)
REAL_CAPTURE = REAL_DIR / "weibo-capture-2019.json"
