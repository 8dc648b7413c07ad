"""A non-editable install works away from the repository: the wheel carries the report
templates, the migrations, the text checks' lexicons and models and the sandbox, and the
installed `govwatch` crawls the installed sandbox, writes a report and checks a draft.

The wheel is built from a copy of the sources (no network, no build isolation), installed with
``pip install --target`` into a temporary folder, and run with ``python -S`` and that folder
first on the path: the repository's editable install is never consulted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Left out of the copy the wheel is built from: what is not part of the package at the top,
# and the build's leftovers anywhere.
NOT_SOURCES = {".git", ".venv", "data", "reports", "out", "build", "dist", "tests", "bench", "checks", "docs"}
LEFTOVERS = ("__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis")

# Runs inside the installed tree: every module comes from the install, the sandbox serves the
# fictional banner, and the command runs as its own process on the same path.
DRIVER = r"""
import json, subprocess, sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

site, work = Path(sys.argv[1]), Path(sys.argv[2])
import analysis.text.lexicon, analysis.text.model, analysis.text.places, analysis.text.typos
import govwatch.cli, govwatch.web, report_templates, reporting.weekly, sandbox.server, storage.db
from reporting.weeks import week_of
from sandbox.configgen import config_dict
from sandbox.server import Sandbox

places = {
    "templates": reporting.weekly.TEMPLATES / "weekly.html",
    "migrations": storage.db.MIGRATIONS / "env.py",
    "lexicons": analysis.text.lexicon.BUNDLED_DIR / "commercial.tsv",
    "content model": analysis.text.model.MODEL_DIR / "content.npy",
    "typo model": analysis.text.typos.MODEL_PATH,
    "place names": analysis.text.places.PLACES_PATH,
    "sandbox": Path(sandbox.server.__file__),
    "command": Path(govwatch.cli.__file__),
    "web console stylesheet": Path(govwatch.web.__file__).with_name("templates") / "console.css",
    "web console templates": Path(govwatch.web.__file__).with_name("templates") / "base.html",
}
outside = {k: str(p) for k, p in places.items() if not (Path(str(p)).is_file() and Path(str(p)).is_relative_to(site))}
govwatch = [sys.executable, "-S", "-c", "from govwatch.cli import main; main()"]
results = {"outside": outside}
with Sandbox(port=0) as running:
    config = config_dict(running.base_url, database="sqlite:///gw.db", report_dir=str(work / "reports"))
    config["alerts"] = {"enabled": False}
    config_path = work / "config.yaml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    crawl = subprocess.run([*govwatch, "--config", str(config_path), "crawl"], capture_output=True, text=True, cwd=work)
week = week_of(datetime.now(ZoneInfo(config["timezone"])).date())
report = subprocess.run(
    [*govwatch, "--config", str(config_path), "report", "--week", str(week)], capture_output=True, text=True, cwd=work
)
lexicon, model, place = (
    subprocess.run([*govwatch, "check", "--no-color"], input=draft, capture_output=True, text=True, cwd=work)
    for draft in ("国土资源部发布通知。\n", "今天天气很好。\n", "县领导赴鄂尔多思市考察学习。\n")
)
for name, done in (("crawl", crawl), ("report", report), ("lexicon", lexicon), ("model", model), ("place", place)):
    results[name] = {"code": done.returncode, "out": done.stdout, "err": done.stderr}
results["accounts"] = [a["name"] for a in config["accounts"]]
print(json.dumps(results, ensure_ascii=False))
"""


def _ignore_for_copy(folder: str, names: list[str]) -> set[str]:
    at_top = Path(folder) == ROOT
    return {
        n
        for n in names
        if (at_top and n in NOT_SOURCES) or n in LEFTOVERS or n.endswith((".egg-info", ".pyc"))
    }


@pytest.mark.slow
def test_the_installed_wheel_crawls_reports_and_checks_without_the_repository(tmp_path: Path):
    source, wheels, site, work = (tmp_path / n for n in ("source", "wheels", "site", "work"))
    shutil.copytree(ROOT, source, ignore=_ignore_for_copy)
    work.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "--quiet"]
    offline = ["--no-deps", "--no-index", "--no-build-isolation"]
    built = subprocess.run(
        [*pip, "wheel", *offline, "-w", str(wheels), str(source)], capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("govwatch-*.whl")
    installed = subprocess.run(
        [*pip, "install", *offline, "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr
    assert (site / "report_templates" / "weekly.html").is_file()

    # The install first, then the dependencies; no site processing, so no editable finder.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), sysconfig.get_paths()["purelib"]]))
    env.pop("GOVWATCH_CONFIG", None)
    ran = subprocess.run(
        [sys.executable, "-S", "-c", DRIVER, str(site), str(work)],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr
    results = json.loads(ran.stdout)
    assert results["outside"] == {}, f"found outside the install: {results['outside']}"

    crawl, report = results["crawl"], results["report"]
    assert crawl["code"] == 0, crawl["err"]
    assert report["code"] == 0, report["err"]
    overall = Path(report["out"].split()[0])
    assert overall.is_relative_to(work) and overall.suffix == ".html"
    page = overall.read_text(encoding="utf-8")
    assert "青川旗" in page and sum(name in page for name in results["accounts"]) >= 10
    # a lexicon's finding (a retired institution name) and the content model's (a text off the topic)
    lexicon, model = results["lexicon"], results["model"]
    assert lexicon["code"] == 0 and "建议改为：自然资源部" in lexicon["out"], lexicon
    assert model["code"] == 0 and "模型判断" in model["out"], model
    # a misspelt place name (the names' file read from the install)
    assert results["place"]["code"] == 0 and "建议改为：鄂尔多斯市" in results["place"]["out"], results[
        "place"
    ]
