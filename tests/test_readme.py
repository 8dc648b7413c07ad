"""The README a new user reads from a clone: every link resolves inside the repository, and the
figures it gives about the demo are the demo's."""

from __future__ import annotations

import re
from pathlib import Path

from sandbox.world import SPECS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_links_and_paths_stay_inside_the_repository():
    targets = re.findall(r"\]\(([^)\s]+)\)", README)
    assert targets
    for target in targets:
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue  # a web address or an anchor
        path = (ROOT / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT), f"README links outside the repository: {target}"
        assert path.exists(), f"README links to a missing file: {target}"
    # a path above the clone is not there for a user of the repository: the only one named is
    # where `make check-real` looks for its material (the Makefile's REAL), with that target
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    real = re.search(r"^REAL \?= (\S+)$", makefile, re.M).group(1)
    mentions = re.findall(r"\.\./[\w./-]+", README)
    assert all(m.rstrip(".") == real for m in mentions), mentions
    assert all("make check-real" in paragraph for paragraph in README.split("\n\n") if "../" in paragraph)


def test_the_demos_account_count_is_the_sandboxs():
    counts = {int(n) for n in re.findall(r"青川旗[，,]\s*(\d+)\s*(?:accounts|个帐号|个账号)", README)}
    assert counts == {len(SPECS)}, counts
