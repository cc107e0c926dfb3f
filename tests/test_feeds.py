from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from lxml import etree

from digest.config import Config
from digest.model import Document
from digest.publish.feeds import BY_DAY, archive_periods
from digest.publish.site import PublishResult, publish
from tests.conftest import WriteConfig
from tests.factories import make_document, ref_of
from tests.validate import assert_valid_atom

ATOM = "{http://www.w3.org/2005/Atom}"
SINCE = datetime(2025, 1, 1, tzinfo=UTC)


def build(config: Config, docs: list[Document], keys: dict[str, str] | None = None) -> Path:
    """Publish `docs` the way a build does: planned from refs, loaded by id."""
    docs = sorted(docs, key=lambda d: (d.published, d.id), reverse=True)
    by_id = {d.id: d for d in docs}
    publish(
        [ref_of(d) for d in docs],
        lambda ids: {i: by_id[i] for i in ids},
        config.feed,
        config.paths.feeds,
        site_key="test",
        keys=keys or {},
        since=SINCE,
    )
    return config.paths.feeds


def test_main_feed_is_valid_atom_with_entries_newest_first(write_config: WriteConfig) -> None:
    config = write_config()
    out = build(config, [make_document(n) for n in (3, 1, 2)])
    parsed = assert_valid_atom(out / "atom.xml")
    assert [e.title for e in parsed.entries] == [
        "Grid operators agree winter plan number 3",
        "Grid operators agree winter plan number 2",
        "Grid operators agree winter plan number 1",
    ]


def test_feed_updated_is_the_newest_entry_not_the_build_time(write_config: WriteConfig) -> None:
    config = write_config()
    out = build(config, [make_document(1), make_document(5)])
    parsed = feedparser.parse((out / "atom.xml").read_bytes())
    assert parsed.feed.updated == "2025-01-06T09:30:00+00:00"


def test_entries_carry_links_categories_author_and_ids(write_config: WriteConfig) -> None:
    config = write_config()
    doc = make_document(1, regions=("Europe", "Russia and FSU"), themes=("Intelligence",))
    out = build(config, [doc])
    tree = etree.parse(str(out / "atom.xml"))
    entry = tree.find(f"{ATOM}entry")
    assert entry is not None
    link = entry.find(f"{ATOM}link")
    assert link is not None
    assert link.attrib == {
        "rel": "alternate",
        "type": "text/html",
        "href": "https://news.example.org/articles/plan-1.html",
    }
    cats = [(c.get("term"), c.get("scheme")) for c in entry.iter(f"{ATOM}category")]
    assert cats == [
        ("Europe", "https://news.example.org/regions/"),
        ("Russia and FSU", "https://news.example.org/regions/"),
        ("Intelligence", "https://news.example.org/themes/"),
    ]
    assert entry.findtext(f"{ATOM}id") == doc.id
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Ana Lopes"
    assert (out / "articles" / "plan-1.html").exists()


def test_entry_without_author_takes_the_feeds(write_config: WriteConfig) -> None:
    config = write_config()
    out = build(config, [make_document(1, author=None)])
    parsed = feedparser.parse((out / "atom.xml").read_bytes())
    assert parsed.entries[0].author == "Desk"


def test_canonical_url_and_source_and_rights_reach_the_entry(write_config: WriteConfig) -> None:
    config = write_config()
    doc = make_document(
        1, url="https://paper.example.com/a/1", source="The Paper", rights="© The Paper 2025"
    )
    out = build(config, [doc])
    parsed = assert_valid_atom(out / "atom.xml")
    entry = parsed.entries[0]
    assert entry.link == "https://paper.example.com/a/1"
    assert entry.rights == "© The Paper 2025"
    via = [link for link in entry.links if link.rel == "via"]
    assert [(v.href, v.title) for v in via] == [("https://paper.example.com/a/1", "The Paper")]


def test_a_source_named_without_a_url_is_the_entrys_publisher(write_config: WriteConfig) -> None:
    config = write_config()
    out = build(config, [make_document(1, source="The Paper")])
    parsed = assert_valid_atom(out / "atom.xml")
    assert parsed.entries[0].publisher == "The Paper"
    assert feedparser.parse((out / "rss.xml").read_bytes()).entries[0].publisher == "The Paper"


def test_xml_illegal_characters_never_reach_the_file(write_config: WriteConfig) -> None:
    config = write_config()
    doc = make_document(1, title="Bad\x00 title\x0b here", content_html="<p>x\x01y</p>")
    out = build(config, [doc])
    parsed = assert_valid_atom(out / "atom.xml")
    assert parsed.entries[0].title == "Bad title here"


def test_old_entries_move_to_linked_archive_documents(write_config: WriteConfig) -> None:
    config = write_config(max_entries=2)
    out = build(config, [make_document(n) for n in range(1, 6)])
    main = etree.parse(str(out / "atom.xml")).getroot()
    assert len(main.findall(f"{ATOM}entry")) == 2
    prev = main.find(f"{ATOM}link[@rel='prev-archive']")
    # Five documents of January 2025, in parts of two from the oldest.
    newest = "https://news.example.org/archive/atom/2025-01-3.xml"
    assert prev is not None and prev.get("href") == newest
    seen = []
    for page in ("archive/atom/2025-01.xml", "archive/atom/2025-01-2.xml", newest[25:]):
        parsed = assert_valid_atom(out / page)
        root = etree.parse(str(out / page)).getroot()
        assert root.find("{http://purl.org/syndication/history/1.0}archive") is not None
        current = root.find(f"{ATOM}link[@rel='current']")
        assert current is not None and current.get("href").endswith("/atom.xml")
        seen += [e.title for e in parsed.entries]
    # The archives hold the whole history, oldest first in pages of two.
    assert sorted(t[-1] for t in seen) == ["1", "2", "3", "4", "5"]


def test_region_and_theme_feeds_and_opml_list_every_feed(write_config: WriteConfig) -> None:
    config = write_config()
    docs = [make_document(1), make_document(2, regions=("Asia",), themes=("Health",))]
    out = build(config, docs)
    for rel in ("regions/europe.xml", "regions/asia.xml", "themes/energy.xml", "themes/health.xml"):
        parsed = assert_valid_atom(out / rel)
        assert len(parsed.entries) == 1
    opml = etree.parse(str(out / "feeds.opml"))
    urls = {o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")}
    assert "https://news.example.org/regions/asia.xml" in urls
    assert "https://news.example.org/rss.xml" in urls


def test_rss_and_json_feed_carry_the_same_entries(write_config: WriteConfig) -> None:

    config = write_config()
    out = build(config, [make_document(n) for n in (1, 2)])
    rss = feedparser.parse((out / "rss.xml").read_bytes())
    assert not rss.bozo and rss.version == "rss20"
    assert [e.id for e in rss.entries] == [
        "tag:news.example.org,2025-01-10:entry/0000000000000002",
        "tag:news.example.org,2025-01-10:entry/0000000000000001",
    ]
    feed = json.loads((out / "feed.json").read_text())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [i["id"] for i in feed["items"]] == [e.id for e in rss.entries]


def test_same_documents_give_the_same_bytes(write_config: WriteConfig) -> None:
    config = write_config()
    out = build(config, [make_document(n) for n in (1, 2)])
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    mtimes = {p: p.stat().st_mtime_ns for p in before}
    build(config, [make_document(n) for n in (1, 2)])
    assert {p: p.read_bytes() for p in before} == before
    assert {p: p.stat().st_mtime_ns for p in before} == mtimes


def test_a_document_that_left_takes_its_page_and_feeds_with_it(write_config: WriteConfig) -> None:
    config = write_config()
    out = build(config, [make_document(1), make_document(2, regions=("Asia",))])
    assert (out / "regions/asia.xml").exists()
    build(config, [make_document(1)])
    assert not (out / "articles/plan-2.html").exists()
    assert not (out / "regions/asia.xml").exists()
    assert not list(out.rglob("*.tmp"))


def test_a_one_document_change_rerenders_only_what_shows_it(write_config: WriteConfig) -> None:
    config = write_config(max_entries=2)
    # One document a month, so the archive pages of the months are separate too.
    docs = [
        make_document(
            n,
            regions=("Asia",) if n % 2 else ("Europe",),
            published=datetime(2025, n, 5, tzinfo=UTC),
        )
        for n in range(1, 9)
    ]
    by_id = {d.id: d for d in docs}
    first = publish(
        [ref_of(d) for d in reversed(docs)],
        lambda ids: {i: by_id[i] for i in ids},
        config.feed,
        config.paths.feeds,
        site_key="test",
        keys={},
        since=SINCE,
    )
    newest = make_document(9, regions=("Asia",), published=datetime(2025, 9, 5, tzinfo=UTC))
    by_id[newest.id] = newest
    loaded: list[str] = []

    def load(ids: object) -> dict[str, Document]:
        loaded.extend(ids)  # type: ignore[call-overload]
        return {i: by_id[i] for i in ids}  # type: ignore[attr-defined]

    second = publish(
        [ref_of(d) for d in [newest, *reversed(docs)]],
        load,
        config.feed,
        config.paths.feeds,
        site_key="test",
        keys=first.keys,
        since=SINCE,
    )
    # In each of Atom, RSS and JSON Feed: the main feed, the theme feed and
    # the Asia feed (3 documents each: main, the archive page that gains a
    # next-archive link, the new archive page); then feeds.opml, index.html
    # and the new page; the Asia and Energy pages, the September archive
    # pages of the site, Asia and Energy, and the month pages before those,
    # which gain a link to September. Older months' archive documents, the Europe
    # feed and pages, the other months, the other article pages, the 404
    # page and the stylesheet are left alone.
    assert (first.rendered, second.rendered) == (123, 38)
    # Documents 2 and 4 sit only in untouched full archive pages and the Europe feed.
    assert {docs[1].id, docs[3].id}.isdisjoint(loaded)
    assert newest.id in loaded
    assert_valid_atom(config.paths.feeds / "atom.xml")


def test_every_format_advertises_the_websub_hub(write_config: WriteConfig) -> None:
    config = write_config(hub="https://hub.example.org/")
    out = build(config, [make_document(1)])
    for rel in ("atom.xml", "rss.xml", "regions/europe.rss.xml", "themes/energy.xml"):
        links = feedparser.parse((out / rel).read_bytes()).feed.links
        assert {"rel": "hub", "href": "https://hub.example.org/"} in [
            {"rel": link.rel, "href": link.href} for link in links
        ], rel
    feed = json.loads((out / "feed.json").read_text())
    assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example.org/"}]


def test_every_format_of_every_feed_is_paged_and_listed_in_opml(
    write_config: WriteConfig,
) -> None:
    config = write_config(max_entries=2)
    out = build(config, [make_document(n) for n in range(1, 6)])
    rss = etree.parse(str(out / "regions/europe.rss.xml")).getroot()
    prev = rss.find(f"channel/{ATOM}link[@rel='prev-archive']")
    assert prev is not None
    assert prev.get("href") == "https://news.example.org/archive/regions/europe/2025-01-3.rss.xml"
    feed = json.loads((out / "themes/energy.json").read_text())
    assert feed["next_url"] == "https://news.example.org/archive/themes/energy/2025-01-3.json"
    pages = []
    url: str | None = feed["next_url"]
    while url:
        page = json.loads((out / url.removeprefix(config.feed.base_url)).read_text())
        pages.append([item["title"][-1] for item in page["items"]])
        url = page.get("next_url")
    assert pages == [["5"], ["4", "3"], ["2", "1"]]
    opml = etree.parse(str(out / "feeds.opml"))
    urls = {o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")}
    for stem in ("regions/europe", "themes/energy"):
        for suffix in (".xml", ".rss.xml", ".json"):
            assert f"https://news.example.org/{stem}{suffix}" in urls
    digests = ("digests.xml", "digests.rss.xml", "digests.json")
    assert {f"https://news.example.org/{name}" for name in ("feed.json", *digests)} <= urls


def test_feeds_link_the_shipped_icon_logo_and_stylesheet(write_config: WriteConfig) -> None:
    config = write_config()
    out = build(config, [make_document(1)])
    atom = feedparser.parse((out / "atom.xml").read_bytes()).feed
    assert atom.icon == "https://news.example.org/icon.png"
    assert atom.logo == "https://news.example.org/logo.png"
    assert (out / "icon.png").read_bytes().startswith(b"\x89PNG")
    assert (out / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert b'<?xml-stylesheet type="text/xsl" href="feed.xsl"?>' in (out / "rss.xml").read_bytes()
    region = (out / "regions/europe.xml").read_bytes()
    assert b'<?xml-stylesheet type="text/xsl" href="../feed.xsl"?>' in region
    assert etree.parse(str(out / "feed.xsl")).getroot().tag.endswith("stylesheet")


def test_a_configured_icon_file_is_copied_and_becomes_the_favicon(
    write_config: WriteConfig, project: Path
) -> None:
    from digest.publish.assets import ico_from_png

    png = (Path(__file__).parent.parent / "digest/assets/logo.png").read_bytes()
    (project / "brand.png").write_bytes(png)
    config = write_config(icon="brand.png", logo="https://cdn.example.org/logo.svg")
    out = build(config, [make_document(1)])
    atom = feedparser.parse((out / "atom.xml").read_bytes()).feed
    assert (atom.icon, atom.logo) == (
        "https://news.example.org/icon.png",
        "https://cdn.example.org/logo.svg",
    )
    assert (out / "icon.png").read_bytes() == png
    assert (out / "favicon.ico").read_bytes() == ico_from_png(png)
    assert not (out / "logo.png").exists()


def test_a_region_feed_links_to_its_region_page(write_config: WriteConfig) -> None:
    config = write_config()
    out = build(config, [make_document(1)])
    for rel in ("regions/europe.xml", "regions/europe.rss.xml"):
        assert feedparser.parse((out / rel).read_bytes()).feed.link == (
            "https://news.example.org/regions/europe.html"
        )
    assert (out / "regions/europe.html").exists()
    region = json.loads((out / "regions/europe.json").read_text())
    assert region["home_page_url"] == "https://news.example.org/regions/europe.html"
    assert feedparser.parse((out / "atom.xml").read_bytes()).feed.link == (
        "https://news.example.org/index.html"
    )


def test_an_old_document_added_or_removed_rewrites_only_its_period_and_the_indexes(
    write_config: WriteConfig,
) -> None:
    config = write_config(max_entries=5)
    docs = [make_document(n, published=datetime(2025, 1, n + 1, 9, tzinfo=UTC)) for n in range(28)]
    docs += [make_document(100 + n, published=datetime(2025, 2, n + 1, 9, tzinfo=UTC))
             for n in range(28)]  # fmt: skip
    docs += [
        make_document(200 + n, regions=("Asia",), themes=("Trade",),
                      published=datetime(2025, 3, n + 1, 9, tzinfo=UTC))
        for n in range(10)
    ]  # fmt: skip

    def publish_all(docs: list[Document], keys: dict[str, str]) -> PublishResult:
        docs = sorted(docs, key=lambda d: (d.published, d.id), reverse=True)
        by_id = {d.id: d for d in docs}
        return publish(
            [ref_of(d) for d in docs],
            lambda ids: {i: by_id[i] for i in ids},
            config.feed,
            config.paths.feeds,
            site_key="test",
            keys=keys,
            since=SINCE,
        )

    first = publish_all(docs, {})
    # January's 28 documents are more than four documents' worth: archived by day,
    # so the 14th's document gains it and no other changes.
    old = make_document(999, published=datetime(2025, 1, 14, 12, tzinfo=UTC))
    added = publish_all([*docs, old], first.keys)
    feeds = [
        f"archive/{folder}/2025-01-14{suffix}"
        for folder in ("atom", "rss", "feed", "regions/europe", "themes/energy")
        for suffix in ((".xml", ".rss.xml", ".json") if "/" in folder else
                       ({"atom": ".xml", "rss": ".rss.xml", "feed": ".json"}[folder],))
    ]  # fmt: skip
    indexes = ["index.html", "regions/europe.html", "themes/energy.html", "archive/2025-01.html",
               "regions/europe/2025-01.html", "themes/energy/2025-01.html"]  # fmt: skip
    assert sorted(added.changed) == sorted([*feeds, *indexes, "articles/plan-999.html"])
    removed = publish_all(docs, added.keys)
    assert sorted(removed.changed) == sorted([*feeds, *indexes])
    assert removed.removed == 1
    again = publish_all(docs, {})
    assert again.changed == ()


def test_a_crowded_month_is_archived_day_by_day_and_a_quiet_one_by_month() -> None:
    # Newest first, as feeds list them: 3 documents on 2 March, 44 in February.
    days = [(f"m{n}", "2025-03-02") for n in range(3)]
    days += [(f"f{n}", f"2025-02-{n % 2 + 10}") for n in range(44)]
    size = 2
    assert BY_DAY * size < 44
    periods = archive_periods(days, size)
    assert [name for name, _ in periods] == [
        *["2025-02-10", *(f"2025-02-10-{n}" for n in range(2, 12))],
        *["2025-02-11", *(f"2025-02-11-{n}" for n in range(2, 12))],
        "2025-03", "2025-03-2",
    ]  # fmt: skip
    # Oldest first within each document, and each document at most `size`.
    assert periods[-2:] == [("2025-03", ("m2", "m1")), ("2025-03-2", ("m0",))]
