"""Feed bridges (RSSHub and the like) as the sandbox renders them: RSS 2.0, Atom, the error page."""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime
from xml.sax.saxutils import escape

from sandbox.world import FEED_CHANNEL_TITLES, Account, World


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _title(account: Account) -> str:
    return FEED_CHANNEL_TITLES.get(account.platform, "{name}").format(name=account.spec.name)


def _link(account: Account) -> str:
    return account.spec.public_url or f"https://mp.weixin.qq.com/profile?src=3&id={account.spec.handle}"


def rss(account: Account, world: World) -> bytes:
    spec = account.spec
    items = []
    for post in account.feed_items():
        items.append(
            "<item>"
            f"<title>{cdata(post.title)}</title>"
            f"<description>{cdata(post.text)}</description>"
            f"<pubDate>{format_datetime(post.published_at.astimezone(UTC), usegmt=True)}</pubDate>"
            f'<guid isPermaLink="false">{escape(post.link or post.id)}</guid>'
            f"<link>{escape(post.link or '')}</link>"
            f"<author>{cdata(spec.name)}</author>"
            f"<category>{escape(post.category)}</category>"
            "</item>"
        )
    built = format_datetime(world.now.astimezone(UTC), usegmt=True)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">'
        "<channel>"
        f"<title>{cdata(_title(account))}</title>"
        f"<link>{escape(_link(account))}</link>"
        f"<description><![CDATA[{spec.description or spec.name} - Powered by RSSHub]]></description>"
        "<generator>RSSHub</generator>"
        "<webMaster>contact@rsshub.app (RSSHub)</webMaster>"
        "<language>zh-cn</language>"
        f"<lastBuildDate>{built}</lastBuildDate>"
        "<ttl>5</ttl>" + "".join(items) + "</channel></rss>"
    )
    return body.encode("utf-8")


def atom(account: Account, world: World) -> bytes:
    spec = account.spec
    entries = []
    posts = account.feed_items()
    for post in posts:
        when = post.published_at.isoformat()
        entries.append(
            "<entry>"
            f"<title>{escape(post.title)}</title>"
            f'<link href="{escape(post.link or "")}"/>'
            f"<id>{escape(post.link or post.id)}</id>"
            f"<published>{when}</published>"
            f"<updated>{when}</updated>"
            f"<author><name>{escape(spec.name)}</name></author>"
            f'<content type="html">{escape(post.text)}</content>'
            f'<category term="{escape(post.category)}"/>'
            "</entry>"
        )
    updated = (posts[0].published_at if posts else world.now).isoformat()
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-cn">'
        f"<title>{escape(_title(account))}</title>"
        f"<subtitle>{escape(spec.description or spec.name)} - Powered by RSSHub</subtitle>"
        f'<link href="{escape(_link(account))}"/>'
        f"<id>{escape(_link(account))}</id>"
        f"<updated>{updated}</updated>"
        '<generator uri="https://docs.rsshub.app">RSSHub</generator>'
        "<rights>RSSHub</rights>" + "".join(entries) + "</feed>"
    )
    return body.encode("utf-8")


def render(account: Account, world: World) -> bytes:
    """The feed body, in the account's format."""
    if account.spec.scenario.feed_format == "atom":
        return atom(account, world)
    return rss(account, world)


def content_type(account: Account) -> str:
    if account.spec.scenario.feed_format == "atom":
        return "application/atom+xml; charset=utf-8"
    return "application/rss+xml; charset=utf-8"


FORBIDDEN = 'FetchError: [GET] "https://mp.weixin.qq.com/mp/profile_ext": 403 Forbidden'


def error_page(path: str, message: str = FORBIDDEN) -> bytes:
    """RSSHub's HTML error page (HTTP 503, or 200 in some deployments) with the route's error."""
    route = "/" + "/".join(path.strip("/").split("/")[1:2]) + "/:id"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Error - RSSHub</title>
</head>
<body>
<div class="container">
<h1>Looks like something went wrong</h1>
<p class="message">Error message: <code>{escape(message)}</code></p>
<p class="message">Helpful Information</p>
<p class="debug">Route: <code>{escape(route)}</code></p>
<p class="debug">Full Route: <code>{escape(path.removeprefix("/rsshub"))}</code></p>
<p class="debug">Node Version: <code>v22.11.0</code></p>
<p class="debug">Git Hash: <code>5c1f8a2</code></p>
<p>Report it on <a href="https://github.com/DIYgod/RSSHub/issues">GitHub</a></p>
</div>
</body>
</html>
""".encode()
