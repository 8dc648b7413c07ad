"""The weekly HTML report: one overall, one per supervisor scoped to their units.

``write_reports`` is what `govwatch report` calls; ``build_view`` (in
reporting/view.py) and ``render`` are the parts a mailer reuses. The report is
built from storage alone, as of the end of the week, so any past week can be
rebuilt. Templates live in report_templates/ and are rendered with
autoescaping on: every crawled string reaches the page as text.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from govwatch.config import Config, Supervisor
from govwatch.files import write_private_text
from reporting import labels
from reporting.view import ReportView, WeekData, build_view, load_week, scope_view
from reporting.weeks import IsoWeek
from storage.db import Store

TEMPLATES = Path(__file__).resolve().parent.parent / "report_templates"
WEEKLY_TEMPLATE = "weekly.html"

__all__ = ["build_view", "render", "render_text", "report_filename", "supervisor_slug", "write_reports"]


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "htm", "xml"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["labels"] = labels
    return env


@cache
def text_environment() -> Environment:
    """For the plain-text mail parts: no HTML escaping (text/plain shows markup as text)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["labels"] = labels
    return env


def render_text(view: ReportView, template: str = "weekly.txt") -> str:
    """The report as plain text (the mail's text/plain alternative)."""
    return text_environment().get_template(template).render(v=view)


def render(view: ReportView, template: str = WEEKLY_TEMPLATE) -> str:
    """The report as a self-contained HTML page (inline CSS, no scripts)."""
    return environment().get_template(template).render(v=view)


def supervisor_slug(index: int, supervisor: Supervisor) -> str:
    """A safe ASCII file-name part: position in the config plus a short hash of the name."""
    digest = hashlib.sha1(supervisor.name.encode("utf-8")).hexdigest()[:8]
    return f"s{index + 1:02d}-{digest}"


def report_filename(week: IsoWeek, slug: str) -> str:
    return f"govwatch-{week}-{slug}.html"


def supervisor_units(supervisor: Supervisor) -> set[str] | None:
    return None if "*" in supervisor.units else set(supervisor.units)


def _write(path: Path, text: str) -> None:
    """Write atomically (a reader never sees half a report), 0600 in 0700 folders."""
    write_private_text(path, text)


def views_for_week(data: WeekData, config: Config) -> list[tuple[str, Supervisor | None, ReportView]]:
    """(slug, supervisor or None for the overall report, view), overall first."""
    out: list[tuple[str, Supervisor | None, ReportView]] = [
        ("overall", None, scope_view(data, config, None, "全部单位（总报告）"))
    ]
    for index, supervisor in enumerate(config.supervisors):
        view = scope_view(data, config, supervisor_units(supervisor), supervisor.name)
        out.append((supervisor_slug(index, supervisor), supervisor, view))
    return out


def write_reports(
    store: Store, config: Config, week: IsoWeek, out_dir: Path, now: datetime | None = None
) -> list[Path]:
    """Write the overall report and one per supervisor under out_dir/<week>/; return their paths."""
    with store.session() as session:
        data = load_week(session, config, week, now)
    folder = Path(out_dir) / str(week)
    paths = []
    for slug, _supervisor, view in views_for_week(data, config):
        path = folder / report_filename(week, slug)
        _write(path, render(view))
        paths.append(path)
    return paths
