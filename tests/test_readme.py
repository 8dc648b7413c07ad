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
    # a path above the clone is not there for a user of the repository: the only ones named are
    # where the Makefile's targets look for material kept outside it (REAL, TEXT_DATA), each in a
    # paragraph that names the target reading it
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    outside = {
        re.search(rf"^{name} \?= (\S+)$", makefile, re.M).group(1): targets
        for name, targets in (
            ("REAL", ("make check-real", "make real-pages")),
            ("TEXT_DATA", ("make train", "make eval")),
        )
    }
    for paragraph in README.split("\n\n"):
        for mention in re.findall(r"\.\./[\w./-]+", paragraph):
            home = [root for root in outside if mention.rstrip(".").startswith(root)]
            assert home, f"README names a path outside the repository: {mention}"
            assert any(t in paragraph for t in outside[home[0]]), (mention, paragraph)


def test_the_demos_account_count_is_the_sandboxs():
    counts = {int(n) for n in re.findall(r"青川旗[，,]\s*(\d+)\s*(?:accounts|个帐号|个账号)", README)}
    assert counts == {len(SPECS)}, counts
