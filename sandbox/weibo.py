"""m.weibo.cn as the sandbox renders it: profile, post list pages, long text.

Pure functions from world objects to JSON-ready dicts and bytes; the server
caches the bytes per account (Account.cache), so a benchmark mostly measures
the crawler, not this module.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sandbox.world import PAGE_SIZE, TZ, Account, Post, World, mid_to_bid

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def full_date(dt: datetime) -> str:
    """'Sun Apr 22 09:08:06 +0800 2018', in Beijing time."""
    t = dt.astimezone(TZ)
    return f"{WEEKDAYS[t.weekday()]} {MONTHS[t.month - 1]} {t.day:02d} {t:%H:%M:%S} +0800 {t.year}"


def display_date(dt: datetime, now: datetime) -> str:
    """How m.weibo.cn's list shows a date: 刚刚, 5分钟前, 3小时前, 昨天 12:30, 11-20, 2023-11-20."""
    t, n = dt.astimezone(TZ), now.astimezone(TZ)
    delta = n - t
    if delta < timedelta(minutes=1):
        return "刚刚"
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)}分钟前"
    if delta < timedelta(hours=24):
        return f"{int(delta.total_seconds() // 3600)}小时前"
    if t.date() == n.date() - timedelta(days=1):
        return f"昨天 {t:%H:%M}"
    if t.year == n.year:
        return f"{t:%m-%d}"
    return f"{t:%Y-%m-%d}"


def created_at(dt: datetime, now: datetime, style: str) -> str:
    return full_date(dt) if style == "full" else display_date(dt, now)


def user(account: Account) -> dict[str, Any]:
    spec, uid = account.spec, account.uid
    return {
        "id": int(uid),
        "screen_name": spec.shown_name,
        "profile_image_url": f"https://tvax1.sinaimg.cn/crop.0.0.180.180.180/{uid}ly8g0avatar.jpg",
        "profile_url": f"https://m.weibo.cn/u/{uid}?uid={uid}&luicode=10000011&lfid=107603{uid}",
        "statuses_count": account.statuses_count(),
        "verified": True,
        "verified_type": 1,
        "verified_type_ext": 0,
        "verified_reason": spec.description or f"{spec.unit}官方微博",
        "close_blue_v": False,
        "description": spec.description,
        "gender": "m",
        "mbtype": 0,
        "urank": 4,
        "mbrank": 0,
        "follow_me": False,
        "following": False,
        "followers_count": spec.followers,
        "follow_count": 120,
        "cover_image_phone": "https://tva1.sinaimg.cn/crop.0.0.640.640.640/549d0121tw1egm1kjly3jj20hs0hsq4f.jpg",
        "avatar_hd": f"https://wx1.sinaimg.cn/orj480/{uid}ly8g0avatar.jpg",
        "like": False,
        "like_me": False,
    }


def profile(account: Account) -> dict[str, Any]:
    uid = account.uid
    tabs = [
        {"id": 1, "tabKey": "profile", "must_show": 1, "hidden": 0, "title": "主页", "tab_type": "profile",
         "containerid": f"230283{uid}"},
        {"id": 2, "tabKey": "weibo", "must_show": 1, "hidden": 0, "title": "微博", "tab_type": "weibo",
         "containerid": account.containerid, "apipath": "/profile/statuses", "url": "/index/my"},
        {"id": 4, "tabKey": "original_video", "must_show": 0, "hidden": 0, "title": "视频", "tab_type": "video",
         "containerid": f"231567{uid}"},
        {"id": 10, "tabKey": "album", "must_show": 0, "hidden": 0, "title": "相册", "tab_type": "album",
         "containerid": f"107803{uid}"},
    ]  # fmt: skip
    return {
        "ok": 1,
        "data": {
            "avatar_guide": [],
            "isStarStyle": 0,
            "userInfo": user(account),
            "fans_scheme": f"https://m.weibo.cn/p/index?containerid=231051_-_fans_intimacy_-_{uid}",
            "follow_scheme": f"https://m.weibo.cn/p/index?containerid=231051_-_followersrecomm_-_{uid}",
            "tabsInfo": {"selectedTab": 1, "tabs": tabs},
            "scheme": f"sinaweibo://userinfo?uid={uid}&type=uid&value={uid}",
            "showAppTips": 1,
        },
    }


def _pics(post: Post) -> list[dict[str, Any]]:
    out = []
    for i in range(post.pics):
        pid = f"00{post.bid}ly1h{i:02d}qcpic"
        out.append(
            {
                "pid": pid,
                "url": f"https://wx3.sinaimg.cn/orj360/{pid}.jpg",
                "size": "orj360",
                "geo": {"width": 360, "height": 480, "croped": False},
                "large": {
                    "size": "large",
                    "url": f"https://wx3.sinaimg.cn/large/{pid}.jpg",
                    "geo": {"width": "1080", "height": "1440", "croped": False},
                },
            }
        )
    return out


def _page_info(post: Post) -> dict[str, Any] | None:
    if post.media == "video":
        return {
            "type": "video",
            "object_type": 11,
            "page_pic": {"url": f"https://wx4.sinaimg.cn/orj480/{post.bid}video.jpg"},
            "page_url": f"https://video.weibo.com/show?fid=1034:{post.id}",
            "page_title": f"{post.title}的微博视频",
            "title": post.title,
            "content1": post.title,
            "media_info": {
                "name": post.title,
                "duration": 95,
                "stream_url": f"https://f.video.weibocdn.com/o0/{post.bid}.mp4?label=mp4_ld",
                "h5_url": f"https://video.weibo.com/show?fid=1034:{post.id}",
            },
        }
    if post.media == "article":
        return {
            "type": "article",
            "object_type": 5,
            "page_pic": {"url": f"https://wx4.sinaimg.cn/orj480/{post.bid}article.jpg"},
            "page_url": f"https://card.weibo.com/article/m/show/id/2309404{post.id[-12:]}",
            "page_title": post.title,
            "content1": post.title,
            "content2": "",
        }
    return None


def _retweeted(post: Post, now: datetime, style: str) -> dict[str, Any]:
    rt = post.repost or {}
    if rt.get("deleted"):
        return {
            "created_at": created_at(rt["created_at"], now, style),
            "id": rt["id"],
            "idstr": rt["id"],
            "mid": rt["id"],
            "text": '抱歉，此微博已被作者删除。查看帮助：<a  href="https://m.weibo.cn/c/4120">网页链接</a>',
            "deleted": "1",
            "user": None,
            "visible": {"type": 0, "list_id": 0},
            "mblogtype": 0,
        }
    return {
        "created_at": created_at(rt["created_at"], now, style),
        "id": rt["id"],
        "idstr": rt["id"],
        "mid": rt["id"],
        "bid": mid_to_bid(rt["id"]),
        "text": rt["text"],
        "textLength": len(rt["text"]) * 2,
        "source": "微博 weibo.com",
        "user": {
            "id": int(rt["user_id"]),
            "screen_name": rt["user_name"],
            "profile_url": f"https://m.weibo.cn/u/{rt['user_id']}?uid={rt['user_id']}",
            "verified": True,
            "verified_type": 3,
            "followers_count": 150000000,
        },
        "reposts_count": rt["reposts_count"],
        "comments_count": rt["comments_count"],
        "attitudes_count": rt["attitudes_count"],
        "isLongText": False,
        "pics": [],
        "mblogtype": 0,
    }


def mblog(account: Account, post: Post, now: datetime, style: str | None = None) -> dict[str, Any]:
    sc = account.spec.scenario
    style = style or sc.date_style
    m: dict[str, Any] = {
        "visible": {"type": 0, "list_id": 0},
        "created_at": created_at(post.published_at, now, style),
        "id": post.id,
        "idstr": post.id,
        "mid": post.id,
        "can_edit": False,
        "show_additional_indication": 0,
        "text": post.text,
        "textLength": len(post.long_text or post.text) * 2,
        "source": post.source,
        "favorited": False,
        "pic_ids": [],
        "is_paid": False,
        "mblog_vip_type": 0,
        "user": user(account),
        "reposts_count": post.reposts_count,
        "comments_count": post.comments_count,
        "attitudes_count": post.attitudes_count,
        "pending_approval_count": 0,
        "isLongText": post.is_long,
        "reward_exhibition_type": 0,
        "hide_flag": 0,
        "mblogtype": post.mblogtype,
        "more_info_type": 0,
        "content_auth": 0,
        "edit_config": {"edited": False},
        "bid": post.bid,
        # -1: anyone may comment; 1 here: the author restricted it (the sandbox's own code for it).
        "comment_manage_info": {
            "comment_permission_type": 1 if account.comments == "limited" else -1,
            "approval_comment_type": 0,
        },
    }
    pics = _pics(post)
    if pics:
        m["pics"] = pics
        m["pic_ids"] = [p["pid"] for p in pics]
        m["pic_num"] = len(pics)
        m["thumbnail_pic"] = f"http://wx3.sinaimg.cn/thumbnail/{pics[0]['pid']}.jpg"
    info = _page_info(post)
    if info:
        m["page_info"] = info
    if post.repost is not None:
        m["retweeted_status"] = _retweeted(post, now, style)
        m["pics"] = []
    if post.pinned:
        m["title"] = {"text": "置顶", "base_color": 1}
        if sc.pin_signal == "full":
            m["mblogtype"] = 2
            m["profile_type_id"] = f"proweibotop_{post.id}"
        elif m["mblogtype"] == 2:
            m["mblogtype"] = 0
    return m


def card(account: Account, post: Post, now: datetime) -> dict[str, Any]:
    return {
        "card_type": 9,
        "itemid": f"{account.containerid}_-_{post.id}",
        "scheme": f"https://m.weibo.cn/status/{post.bid}?mblogid={post.bid}&luicode=10000011&lfid={account.containerid}",
        "mblog": mblog(account, post, now),
        "show_type": 0,
    }


def page(
    account: Account, world: World, since_id: str | None = None, page_no: int | None = None
) -> dict[str, Any]:
    """One list page: pinned posts (first page only) and PAGE_SIZE regular posts, newest first."""
    now = world.now
    regular = account.regular_posts()
    if account.behavior == "hidden_posts":
        regular = []
    if page_no is not None:
        start = (max(page_no, 1) - 1) * PAGE_SIZE
    elif since_id:
        try:
            limit = int(since_id)
        except ValueError:
            limit = -1
        start = next((i for i, p in enumerate(regular) if int(p.id) <= limit), len(regular))
    else:
        start = 0
    chunk = regular[start : start + PAGE_SIZE]
    first = start == 0 and not since_id
    posts = (account.pinned_posts() if first and account.behavior != "hidden_posts" else []) + chunk
    cards: list[dict[str, Any]] = [card(account, p, now) for p in posts]
    if account.spec.scenario.group_cards and len(cards) > 4:
        cards[1:4] = [{"card_type": 11, "itemid": "", "show_type": 0, "card_group": cards[1:4]}]
    info: dict[str, Any] = {
        "containerid": account.containerid,
        "v_p": 42,
        "show_style": 1,
        "total": account.statuses_count(),
    }
    more = start + PAGE_SIZE < len(regular)
    if page_no is not None:
        info["page"] = page_no + 1 if more else None
    elif more:
        info["since_id"] = int(regular[start + PAGE_SIZE].id)
    return {"ok": 1, "data": {"cardlistInfo": info, "cards": cards, "scheme": ""}}


def long_text(post: Post) -> dict[str, Any]:
    """/statuses/extend?id=ID."""
    return {
        "ok": 1,
        "data": {
            "ok": 1,
            "longTextContent": post.long_text or post.text,
            "reposts_count": post.reposts_count,
            "comments_count": post.comments_count,
            "attitudes_count": post.attitudes_count,
        },
    }


def show(account: Account, post: Post, now: datetime) -> dict[str, Any]:
    """/statuses/show?id=ID or bid: the post in full, with longText, dates in the full form."""
    m = mblog(account, post, now, style="full")
    if post.is_long:
        m["text"] = post.long_text
        m["longText"] = {"longTextContent": post.long_text}
    return {"ok": 1, "data": m}


NOT_FOUND = {"ok": 0, "msg": "用户不存在"}
