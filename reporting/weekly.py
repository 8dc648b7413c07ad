"""The weekly HTML report: one overall, one per supervisor scoped to their units.

``write_reports`` is what `govwatch report` calls; ``build_view`` (in
reporting/view.py) and ``render`` are the parts a mailer reuses. The report is
built from storage alone, as of the end of the week, so any past week can be
rebuilt. Templates live in report_templates/ and are rendered with
autoescaping on: every crawled string reaches the page as text.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import func, select

from core.config import Config, Supervisor
from core.files import write_private_text
from reporting import labels
from reporting.view import ReportView, WeekData, build_view, load_week, scope_view
from reporting.weeks import IsoWeek, last_complete_week, week_of
from storage.db import Store
from storage.models import CrawlRun

# report_templates/ is installed as a package of data (pyproject.toml): found wherever govwatch is.
TEMPLATES = resources.files("report_templates")
WEEKLY_TEMPLATE = "weekly.html"

__all__ = [
    "build_view",
    "default_week",
    "render",
    "render_text",
    "report_filename",
    "supervisor_slug",
    "write_reports",
]


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


def default_week(
    store: Store, config: Config, now: datetime | None = None, *, prefer_data: bool = True
) -> tuple[IsoWeek, str | None]:
    """The week a report is about when none is named, and a note when it is not the usual one.

    The last complete week, when a crawl had run by its end. Right after the first crawl (a new
    installation, `make demo`) that week has no data at all: the current week so far instead
    (unless `prefer_data` is off: mail goes out for the last complete week, as scheduled, and
    the note says why it is empty). With no crawl at all, the last complete week and the reason
    every account reads 尚未抓取.
    """
    now = now or datetime.now(UTC)
    tz = config.tz
    last = last_complete_week(tz, now)
    with store.session() as session:
        first = session.scalar(select(func.min(CrawlRun.started_at)))
    if first is not None and first < last.end(tz):
        return last, None
    if first is None:
        return last, (
            f"尚无抓取记录：{last} 的报告中每个帐号都是“尚未抓取”，请先运行 govwatch crawl / "
            f"no crawl has run yet: every account in the {last} report is 'not crawled'; run govwatch crawl first"
        )
    current = week_of(now.astimezone(tz).date())
    first_day = f"{first.astimezone(tz):%Y-%m-%d}"
    if not prefer_data:
        return last, (
            f"{last} 没有抓取数据（首次抓取在 {first_day}），报告中每个帐号都是“尚未抓取”；"
            f"本周的报告：govwatch report --week {current} / {last} has no crawl data (the first crawl "
            f"ran on {first_day}): every account is 'not crawled'; this week: --week {current}"
        )
    return current, (
        f"上一完整周 {last} 没有抓取数据（首次抓取在 {first_day}），改为生成本周 {current} 截至目前的报告；"
        f"可用 --week 指定 / {last} has no crawl data (the first crawl ran on {first_day}): "
        f"writing the current week {current} so far; choose another with --week"
    )
