"""A page names itself at its top ({% set page_title, page_css %}) and base.html writes its title and stylesheet."""
import re


def heads(client, url):
    html = client.get(url).get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    sheets = re.findall(r'<link rel="stylesheet" href="/static/css/([a-z_]+)\.css', html)
    return title, sheets


def test_a_public_page_has_its_title_and_its_stylesheet(client):
    assert heads(client, "/public/draws") == ("抽取公示 · 双随机联合抽查", ["app", "draw"])
    assert heads(client, "/login") == ("登录 · 双随机联合抽查", ["app"])  # no stylesheet of its own


def test_office_pages_name_themselves(client, auth, world):
    auth.login("office")
    assert heads(client, "/review/") == ("审核队列 · 双随机联合抽查", ["app", "review"])
    title, sheets = heads(client, "/directory/entities")
    assert title == "检查对象名录库 · 双随机联合抽查" and sheets == ["app", "directory"]
