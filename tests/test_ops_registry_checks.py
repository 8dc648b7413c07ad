"""Registry checks on stored rows: duplicates, internal departments, hijack signs, outsourcing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from analysis.run import analyse
from core.config import parse_config
from storage import repo
from storage.models import AccountSnapshot, Finding, Post, utcnow


def account(id_, unit, name, platform="weibo", **kw):
    return {"id": id_, "unit": unit, "platform": platform, "name": name, "handle": id_, **kw}


def test_registry_findings_open_and_close(store_url, store, tmp_path):
    config = parse_config({"database": store_url}, tmp_path / "config.yaml")
    now = utcnow()
    with store.session() as session:
        repo.sync_accounts(
            session,
            [
                account("edu-a", "旗教育局", "青川教育"),
                account("edu-b", "旗教育局", "青川教育局办公室"),  # second on weibo, and a department
                account(
                    "town", "宝力镇人民政府", "宝力镇发布", operator="outsourced", operator_name="云帆科技"
                ),
                account("media", "旗融媒体中心", "旗融媒体中心"),  # named as its unit: not a department
            ],
        )
        session.add_all(
            [
                AccountSnapshot(
                    account_id="town",
                    taken_at=now - timedelta(days=3),
                    name="宝力镇发布",
                    description="宝力镇政务",
                ),
                AccountSnapshot(
                    account_id="town",
                    taken_at=now - timedelta(days=1),
                    name="好物推荐官",
                    description="宝力镇政务",
                ),
            ]
        )
        for i in range(4):
            session.add(
                Post(
                    account_id="town",
                    platform_post_id=f"p{i}",
                    published_at=now - timedelta(hours=5 + i),
                    text="好物推荐",
                    labels="commercial" if i < 3 else "",
                    checked_hash="x",
                    content_hash="x",
                )
            )
    analyse(config, store, now=now)
    with store.session() as session:
        open_rules = {
            (f.account_id, f.rule) for f in session.scalars(select(Finding).where(Finding.status == "open"))
        }
    assert ("edu-a", "registry.duplicate") in open_rules and ("edu-b", "registry.duplicate") in open_rules
    assert ("edu-b", "registry.department") in open_rules
    assert ("media", "registry.department") not in open_rules
    # the name changed from the registry's: reported once, as a rename, not again as a profile change
    assert ("town", "registry.renamed") in open_rules
    assert ("town", "registry.profile_changed") not in open_rules
    assert ("town", "registry.offmission_burst") in open_rules
    assert ("town", "outsourcing.open_problems") in open_rules  # an outsourced account with open problems
    with store.session() as session:
        outsourcing = session.scalar(select(Finding).where(Finding.rule == "outsourcing.open_problems"))
        assert "云帆科技" in outsourcing.evidence

    # edu-b is closed: the duplicate is gone for edu-a (rectified), not for a closed account.
    with store.session() as session:
        repo.sync_accounts(session, [account("edu-b", "旗教育局", "青川教育局办公室", closed=True)])
    analyse(config, store, now=now + timedelta(minutes=1))
    with store.session() as session:
        dup = session.scalar(select(Finding).where(Finding.fingerprint == "reg:edu-a:duplicate"))
        assert dup.status == "rectified"
