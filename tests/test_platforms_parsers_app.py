"""App download links: 200 with an APK type, 404, a redirect to an HTML error page."""

from __future__ import annotations

from pathlib import Path

from crawler.parsers.app import Probe, classify

FIX = Path(__file__).parent / "fixtures" / "app"
URL = "https://app.qingchuan.example.gov.cn/download"


def test_apk_is_available():
    outcome, detail = classify(
        Probe(URL, URL + ".apk", 200, "application/vnd.android.package-archive", 48_000_000)
    )
    assert outcome == "ok" and "安装包可下载" in detail


def test_octet_stream_with_apk_name_is_available():
    p = Probe(URL, URL, 200, "application/octet-stream", 2_000_000, 'attachment; filename="qc.apk"')
    assert classify(p)[0] == "ok"


def test_404_is_not_found():
    outcome, detail = classify(Probe(URL, URL, 404, "text/html"))
    assert outcome == "not_found" and "404" in detail


def test_redirect_to_html_error_page_is_unusable():
    head = (FIX / "error_page.html").read_text(encoding="utf-8")
    outcome, detail = classify(
        Probe(
            URL,
            "https://app.qingchuan.example.gov.cn/error.html",
            200,
            "text/html; charset=utf-8",
            None,
            "",
            head,
            1,
        )
    )
    assert outcome == "error" and "页面不存在" in detail


def test_tiny_package_is_an_error():
    assert classify(Probe(URL, URL, 200, "application/vnd.android.package-archive", 120))[0] == "error"


def test_store_page_is_available():
    head = (FIX / "store_page.html").read_text(encoding="utf-8")
    assert classify(Probe(URL, URL, 200, "text/html", None, "", head))[0] == "ok"


def test_blocked_and_login():
    assert classify(Probe(URL, URL, 403, "text/html"))[0] == "blocked"
    assert (
        classify(Probe(URL, "https://passport.example.com/login?x=1", 200, "text/html"))[0]
        == "login_required"
    )
