"""Every input format read into an Article: the reference seeds, then fixtures made for tests."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from digest.decode import decode
from digest.errors import DocumentError
from digest.model import Article
from digest.parse import NO_BODY, parse

DOCS = Path(__file__).parent / "data" / "docs"
FOOTER = (
    "share button", "Follow us", "originally published", "Featured image", "reader-funded",
    "stay afloat", "original source", "Comment on", "Become a Member", "Articles by",
    "Disclaimer", "fair use", "media inquiries", "attribution.",
)  # fmt: skip
RESIDUE = re.compile(r"\*\*|\]\(|\\\*|<[a-z/]|[\x00-\x08\x0b-\x1f\x7f]")


def read(name: str, *, dayfirst: bool = False) -> Article:
    return parse(decode((DOCS / name).read_bytes(), name), name, dayfirst=dayfirst)


def rejected(text: str, name: str = "doc.md") -> str:
    with pytest.raises(DocumentError) as caught:
        parse(text, name)
    assert caught.value.path == name
    return caught.value.reason


def assert_clean(article: Article) -> None:
    for paragraph in (article.standfirst or "", *article.paragraphs):
        assert not RESIDUE.search(paragraph), paragraph
    assert not re.search(
        r"<(script|style|iframe|form|nav|img)|on\w+=|href=\"#", article.content_html
    )


def reference(shared: Path, prefix: str) -> Article:
    [path] = (shared / "seeds").glob(f"{prefix}_*")
    return parse(decode(path.read_bytes(), path.name), path.name)


# The two reference documents the product was specified from.


def test_news_site_reference_article_yields_its_metadata(shared: Path) -> None:
    article = reference(shared, "000")
    assert article.title == (
        "Macron Urges Kiev to be Realistic as French-trained Ukrainian Soldiers Desert"
    )
    assert article.author == "Ahmed Adel"
    assert article.published == datetime(2025, 1, 10, tzinfo=UTC)
    assert article.regions == ("Europe", "Russia and FSU")
    assert article.themes == ("Intelligence",)
    assert article.source == "Global Research"
    assert article.series == "In-depth Report: UKRAINE REPORT"
    assert article.rights == "Copyright © Ahmed Adel, Global Research, 2025"
    assert article.standfirst and article.standfirst.startswith("Ukraine must have “realistic”")
    assert_clean(article)


def test_footer_of_news_site_article_is_not_content_but_the_bio_is_kept(shared: Path) -> None:
    article = reference(shared, "000")
    for footer in FOOTER:
        assert footer not in article.content_html
        assert all(footer not in p for p in article.paragraphs), footer
    assert article.paragraphs[-1].startswith("Ahmed Adel is a Cairo-based geopolitics")
    assert article.paragraphs[-2].startswith("Yet, Macron is unwilling")


def test_plain_reference_article_has_no_metadata_and_keeps_every_sentence(shared: Path) -> None:
    article = reference(shared, "003")
    assert article.format == "plain"
    assert (article.title, article.author, article.published) == (None, None, None)
    assert (article.regions, article.themes) == ((), ())
    [path] = (shared / "seeds").glob("003_*")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    body = " ".join(article.paragraphs)
    assert all(line.strip() in body for line in lines)
    assert 1 < len(article.paragraphs) < len(lines)


# News-site markdown written for these tests.


def test_news_site_markdown_fixture_reads_every_header_line() -> None:
    article = read("news_site.txt")
    assert article.format == "news-markdown"
    assert article.title == "Harbour Pilots in Valmora Strike Over Night-Shift Cuts"
    assert article.author == "Lena Marsh"
    assert article.published == datetime(2025, 3, 4, tzinfo=UTC)
    assert article.source == "Coastline Monitor"
    assert article.regions == ("Europe", "Mediterranean")
    assert article.themes == ("Labour", "Shipping")
    assert article.series == "In-depth Report: PORTS IN TRANSITION"
    assert article.rights == "Copyright © Lena Marsh, Coastline Monitor, 2025"
    assert article.standfirst == (
        "Pilots who guide tankers into the port of Valmora walked out on Monday, saying a plan "
        "to halve night crews would put ships and sailors at risk."
    )
    assert_clean(article)


def test_news_site_markdown_keeps_inline_formatting_and_real_links_in_html() -> None:
    html = read("news_site.txt").content_html
    assert html.startswith("<p><em>Pilots who guide")
    assert "<strong>4.2 million euros</strong>" in html
    assert '<a href="https://port.example.org/traffic">traffic page</a>' in html
    assert "<p><strong>Lena Marsh</strong> is a Lisbon-based reporter" in html
    assert "Mastodon" not in html and "Help us" not in html


def test_a_section_break_inside_the_article_does_not_cut_the_rest() -> None:
    text = (
        "# Storm Season Ends\n\nThe first half of the story.\n\n\\*\n\n"
        "The second half, after a break.\n\nIt ends here.\n"
    )
    assert parse(text, "doc.md").paragraphs == (
        "The first half of the story.",
        "The second half, after a break.",
        "It ends here.",
    )


def test_news_site_markdown_saved_as_md_is_not_mistaken_for_header_lines() -> None:
    text = "Region: [Asia](#)\n\nTheme: [Energy](#)\n\nA solar plant opened in the valley.\n"
    article = parse(text, "doc.md")
    assert (article.format, article.regions, article.themes) == (
        "news-markdown",
        ("Asia",),
        ("Energy",),
    )
    assert article.paragraphs == ("A solar plant opened in the valley.",)


def test_plain_markdown_takes_its_title_from_the_top_heading() -> None:
    article = read("markdown_only.md")
    assert (article.format, article.title) == (
        "markdown",
        "Library Reopens in Old Mill After Restoration",
    )
    assert "<h2>" not in article.content_html and len(article.paragraphs) == 2


# Front matter and header lines.


def test_yaml_front_matter_fills_every_field() -> None:
    article = read("yaml_front_matter.md")
    assert article.format == "yaml"
    assert article.title == "Drought Forces Rationing in Three Northern Provinces"
    assert article.author == "Tomas Reyes and Aiko Brandt"
    assert article.published == datetime(2025, 2, 18, 7, 30, tzinfo=timezone(timedelta(hours=1)))
    assert article.updated == datetime(2025, 2, 19, tzinfo=UTC)
    assert article.regions == ("Latin America & Caribbean",)
    assert article.themes == ("Environment", "Agriculture")
    assert article.url == "https://news.example.org/2025/drought-rationing"
    assert (article.source, article.rights) == ("Valley Courier", "© 2025 Valley Courier")
    assert article.standfirst == "Reservoirs in the north have fallen below a fifth of capacity."
    assert_clean(article)


def test_yaml_body_keeps_lists_and_quotes_drops_repeated_title_and_newsletter_plea() -> None:
    article = read("yaml_front_matter.md")
    html = article.content_html
    assert "<ul>\n<li>Arenal: 18% of capacity</li>" in html
    assert '<blockquote>\n<p>"We have never seen the river this low,"' in html
    assert "<h2>" not in html and "emergency credit</" not in html
    assert "Subscribe" not in html and all("Subscribe" not in p for p in article.paragraphs)
    assert article.paragraphs[0].startswith("Water will be cut off")


def test_toml_front_matter_fills_its_fields() -> None:
    article = read("toml_front_matter.md")
    assert article.format == "toml"
    assert article.title == "Rail Link Between Kesh and Varno Reopens After Floods"
    assert article.author == "Dara Quill"
    assert article.published == datetime(2025, 1, 21, 9, tzinfo=UTC)
    assert (article.regions, article.themes) == (("Asia",), ("Infrastructure", "Transport"))
    assert article.url == "https://news.example.org/kesh-varno-rail"
    assert article.standfirst and article.standfirst.startswith("Trains are running again")
    assert len(article.paragraphs) == 2


def test_pelican_header_lines_fill_fields_and_ignore_tags_and_category() -> None:
    article = read("pelican_headers.md", dayfirst=True)
    assert article.format == "headers"
    assert article.title == "Central Bank of Oristan Holds Rates as Inflation Eases"
    assert article.author == "Jonas Field"
    assert article.published == datetime(2025, 2, 10, 14, 5, tzinfo=UTC)
    assert (article.regions, article.themes) == (("Africa",), ("Global Economy",))
    assert article.standfirst == (
        "The bank kept its main rate at 9 per cent and said cuts could come in the second half "
        "of the year."
    )


def test_day_first_setting_decides_ambiguous_numeric_dates() -> None:
    assert read("pelican_headers.md").published == datetime(2025, 10, 2, 14, 5, tzinfo=UTC)


def test_invalid_yaml_front_matter_is_rejected_with_the_line() -> None:
    reason = rejected("---\ntitle: A: B: C\n---\nBody text.\n")
    assert reason.startswith("YAML front matter is not valid") and "line 2" in reason


def test_invalid_toml_front_matter_is_rejected() -> None:
    assert rejected('+++\ntitle = "unclosed\n+++\nBody text.\n').startswith(
        "TOML front matter is not valid"
    )


def test_an_unparseable_date_is_not_fatal() -> None:
    article = parse("---\ntitle: Quiet Day\ndate: sometime soon\n---\nNothing happened.\n", "a.md")
    assert (article.title, article.published) == ("Quiet Day", None)


def test_a_date_without_a_time_zone_is_taken_as_utc() -> None:
    article = parse("Title: Quiet Day\nDate: 2025-05-06 07:00\n\nNothing happened.\n", "a.md")
    assert article.published == datetime(2025, 5, 6, 7, tzinfo=UTC)


def test_titles_and_authors_lose_link_placeholders_and_control_characters() -> None:
    text = '---\ntitle: "Port\\u0007 deal  [signed](#)"\nauthor: "[Ana Lopes](#)"\n---\nBody.\n'
    article = parse(text, "a.md")
    assert (article.title, article.author) == ("Port deal signed", "Ana Lopes")


# HTML pages.


def test_html_page_metadata_comes_from_meta_and_link_tags() -> None:
    article = read("page.html")
    assert article.format == "html"
    assert article.title == "Wind Farm Approved off Kestrel Point"
    assert article.author == "Maren Holt"
    assert article.published == datetime(2025, 3, 12, 8, 15, tzinfo=UTC)
    assert article.updated == datetime(2025, 3, 12, 17, 40, tzinfo=UTC)
    assert article.source == "Northern Ledger"
    assert article.url == "https://ledger.example.com/energy/kestrel-wind"
    assert article.standfirst == "Planners backed forty turbines after a two-year inquiry."


def test_html_section_tags_and_keywords_are_not_regions_or_themes() -> None:
    article = read("page.html")
    assert (article.regions, article.themes) == ((), ())


def test_html_body_leaves_out_navigation_widgets_forms_and_comments() -> None:
    article = read("page.html")
    assert article.paragraphs == (
        "The regional planning board approved the Kestrel Point wind farm on Wednesday, ending "
        "an inquiry that drew more than 3,000 objections.",
        "The developer, Tidewater Power, said construction would start next year and the first "
        "turbines would turn by 2028.",
        "Local fishing crews said the cable route would cross their best grounds, and vowed to "
        "appeal.",
    )
    for furniture in (
        "Home",
        "since 1921",
        "Share on",
        "Read more",
        "newsletter",
        "Great news",
        "©",
    ):
        assert furniture not in article.content_html
    assert_clean(article)


def test_html_body_is_sanitised_and_relative_links_resolved_against_the_canonical_url() -> None:
    html = read("page.html").content_html
    assert '<a href="https://ledger.example.com/energy/tidewater">the first turbines</a>' in html
    assert "<strong>Kestrel Point</strong>" in html and "<em>best grounds</em>" in html
    assert "<h2>Fishing crews object</h2>" in html and "<h1>" not in html
    assert "onclick" not in html and "loadAds" not in html and "trackPageView" not in html


def test_html_title_falls_back_to_the_title_element_without_the_site_name() -> None:
    page = (
        "<html><head><title>Bridge Reopens | City Post</title></head>"
        "<body><main><p>Traffic resumed on the old bridge on Friday.</p></main></body></html>"
    )
    article = parse(page, "page.txt")
    assert (article.format, article.title) == ("html", "Bridge Reopens")


def test_html_without_base_url_turns_relative_and_script_links_into_text() -> None:
    page = (
        '<body><article><p>See <a href="/x">the map</a>, <a href="javascript:go()">this</a> '
        'and <a href="#top">that</a>.</p></article></body>'
    )
    assert parse(page, "p.html").content_html == "<p>See the map, this and that.</p>"


# Plain text.


def test_plain_text_with_a_title_line_and_byline() -> None:
    article = read("plain_titled.txt")
    assert article.format == "plain"
    assert article.title == "Ferry Service to Isla Corva Suspended After Engine Fire"
    assert article.author == "Ruth Okonkwo"
    assert len(article.paragraphs) == 2 and article.paragraphs[1].startswith("Islanders say")


def test_plain_text_sentence_lines_are_grouped_and_a_footer_line_dropped() -> None:
    lines = [f"Sentence number {n} ends here." for n in range(1, 6)]
    article = parse("\n".join([*lines, "Follow us on Mastodon."]), "a.txt")
    assert article.paragraphs == (" ".join(lines[:3]), " ".join(lines[3:]))
    assert article.content_html == "".join(
        ["<p>", " ".join(lines[:3]), "</p>\n<p>", " ".join(lines[3:]), "</p>"]
    )


def test_plain_text_is_escaped_in_html() -> None:
    article = parse("Profits rose <5% at A&B, the <script> said.\n", "a.txt")
    assert article.content_html == "<p>Profits rose &lt;5% at A&amp;B, the &lt;script&gt; said.</p>"


# What cannot be published.


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: Only a Title\n---\n",
        "# Just a Heading\n",
        "<html><body><nav>Home</nav><footer>© 2025</footer></body></html>",
        "Subscribe to our newsletter.\nFollow us on X.\n",
    ],
)
def test_document_with_no_body_text_is_rejected(text: str) -> None:
    assert rejected(text) == NO_BODY


# Headers as publishers write them: bylines with dates and roles, other languages, noise.


def header_of(*lines: str) -> Article:
    return parse("# Port strike ends\n\n" + "\n\n".join(lines) + "\n\nThe strike ended.\n", "a.md")


def test_a_byline_and_a_date_on_one_line_are_split_at_the_bar() -> None:
    article = header_of("By A. Writer | Mar 2, 2025 9:15 AM PST")
    assert article.author == "A. Writer"
    assert article.published == datetime(2025, 3, 2, 9, 15, tzinfo=timezone(timedelta(hours=-8)))
    assert article.source is None and article.warnings == ()


def test_a_byline_drops_roles_and_reads_an_update_after_a_middle_dot() -> None:
    article = header_of("By [Ana Lopes](#), Staff Writer · Updated Mar 3, 2025")
    assert (article.author, article.updated) == ("Ana Lopes", datetime(2025, 3, 3, tzinfo=UTC))


def test_a_byline_names_several_authors() -> None:
    assert header_of("By Ana Lopes, Tom Field and Mia Chen").author == (
        "Ana Lopes, Tom Field and Mia Chen"
    )
    assert header_of("By Ana Lopes, Reuters").author == "Ana Lopes"


@pytest.mark.parametrize(
    ("lines", "author", "published"),
    [
        (["Par Marie Dubois — Publié le 3 mars 2025 à 14h30"], "Marie Dubois",
         datetime(2025, 3, 3, 14, 30, tzinfo=UTC)),
        (["Por Ana López y Juan Pérez", "El País, 5 de mayo de 2024"],
         "Ana López and Juan Pérez", datetime(2024, 5, 5, tzinfo=UTC)),
        (["Von Hans Müller | 3. März 2025"], "Hans Müller", datetime(2025, 3, 3, tzinfo=UTC)),
        (["Di Mario Rossi", "Pubblicato il 5 maggio 2024 alle 14:00"], "Mario Rossi",
         datetime(2024, 5, 5, 14, tzinfo=UTC)),
        (["Por Rita Nunes", "Publicado em 3 de março de 2025 às 10h30"], "Rita Nunes",
         datetime(2025, 3, 3, 10, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_bylines_and_datelines_in_other_languages(
    lines: list[str], author: str, published: datetime
) -> None:
    article = header_of(*lines)
    assert (article.author, article.published) == (author, published)


def test_a_sentence_that_opens_like_a_byline_stays_in_the_body() -> None:
    article = header_of("Von der Leyen sagte am Montag, dass die Einigung gut sei")
    assert article.author is None
    assert article.paragraphs[0].startswith("Von der Leyen sagte")


@pytest.mark.parametrize(
    ("dateline", "source", "published"),
    [
        ("The Valley Courier, June 3rd, 2024", "The Valley Courier", datetime(2024, 6, 3)),
        ("Coastline Monitor | 07.05.2024", "Coastline Monitor", datetime(2024, 5, 7)),
        ("Coastline Monitor, Tue, 11 Mar 2025", "Coastline Monitor", datetime(2025, 3, 11)),
        ("Publié le 3 mars 2025", None, datetime(2025, 3, 3)),
    ],
)
def test_datelines_in_every_layout_give_the_site_and_the_date(
    dateline: str, source: str | None, published: datetime
) -> None:
    article = header_of(dateline)
    assert (article.source, article.published) == (source, published.replace(tzinfo=UTC))


def test_a_dateline_that_cannot_be_read_does_not_push_the_labels_into_the_body() -> None:
    article = header_of(
        "By Ana Lopes",
        "Global Research, sometime in 2025 perhaps",
        "Region: [Europe](#), [Asia](#)",
        "Theme: [Labour](#)",
        "*The standfirst says what happened.*",
    )
    assert (article.regions, article.themes) == (("Europe", "Asia"), ("Labour",))
    assert article.standfirst == "The standfirst says what happened."
    assert article.paragraphs == ("The strike ended.",)
    assert "Region" not in article.content_html and "Global Research" not in article.content_html


def test_page_furniture_between_header_lines_does_not_end_the_header() -> None:
    article = header_of("By Ana Lopes", "[Share](#) [Print](#)", "Coastline Monitor, Mar 4, 2025")
    assert (article.author, article.source) == ("Ana Lopes", "Coastline Monitor")
    assert article.paragraphs == ("The strike ended.",)


def test_an_impossible_date_line_drops_the_date_with_a_warning() -> None:
    article = header_of("Date: 2025-13-01")
    assert article.published is None
    assert article.warnings == ("Date '2025-13-01' dropped: month must be in 1..12",)


# Labels from front matter tables and header lines.


def test_zola_taxonomies_and_hugo_params_tables_give_labels() -> None:
    zola = parse(
        '+++\ntitle = "T"\n[taxonomies]\nregions = ["Europe"]\nthemes = ["Energy"]\n+++\n'
        "The body.\n",
        "a.md",
    )
    hugo = parse(
        '+++\ntitle = "T"\n[params]\nauthor = "Ana Lopes"\nregions = ["Asia"]\n'
        'categories = ["Health"]\n+++\nThe body.\n',
        "a.md",
    )
    assert (zola.regions, zola.themes) == (("Europe",), ("Energy",))
    assert (hugo.author, hugo.regions, hugo.themes) == ("Ana Lopes", ("Asia",), ("Health",))


def test_a_pelican_category_is_a_theme_when_no_theme_is_named() -> None:
    article = parse("Title: T\nCategory: Economy\nTags: rates, inflation\n\nThe body.\n", "a.md")
    assert (article.format, article.themes) == ("headers", ("Economy",))


# Fields that cannot be read are dropped with a warning; the document is kept.


@pytest.mark.parametrize(
    ("front", "warning"),
    [
        ("date: 2025-13-01", "date '2025-13-01' dropped: month must be in 1..12"),
        ("date: 2025-01-01 25:00:00", "date '2025-01-01 25:00:00' dropped: hour must be in 0..23"),
        ("date: 2025-01-01T10:00:00+24:00",
         "date '2025-01-01T10:00:00+24:00' dropped: offset +24:00 is not a time zone"),
        ("date: someday", "date 'someday' dropped: not a date"),
        ("url: 'http://[::1'", "url 'http://[::1' dropped: not a valid URL"),
    ],
)  # fmt: skip
def test_a_bad_yaml_field_is_dropped_with_a_warning(front: str, warning: str) -> None:
    article = parse(f"---\ntitle: T\n{front}\n---\nThe body.\n", "a.md")
    assert (article.title, article.paragraphs, article.warnings) == (
        "T",
        ("The body.",),
        (warning,),
    )


@pytest.mark.parametrize(
    "value", ["2025-13-01", "2025-01-01T10:00:00+24:00", "2025-01-01T25:00:00Z"]
)
def test_an_impossible_toml_date_drops_only_that_field(value: str) -> None:
    article = parse(f'+++\ntitle = "T"\ndate = {value}\n+++\nThe body.\n', "a.md")
    assert (article.title, article.published) == ("T", None)
    assert article.warnings[0].startswith(f"date '{value}' dropped: ")


def test_toml_dates_are_read_to_the_instant() -> None:
    article = parse("+++\ndate = 2025-01-21T09:00:00+02:00 # local\n+++\nThe body.\n", "a.md")
    assert article.published == datetime(2025, 1, 21, 9, tzinfo=timezone(timedelta(hours=2)))


def test_malformed_urls_in_a_page_drop_the_canonical_link_and_the_anchor() -> None:
    page = (
        "<html><head><link rel=canonical href='http://[::1'></head><body>"
        "<p>Read <a href='http://[::1/x'>the report</a> now.</p></body></html>"
    )
    article = parse(page, "a.html")
    assert article.url is None and article.paragraphs == ("Read the report now.",)
    assert "<a" not in article.content_html
    assert article.warnings == (
        "canonical link 'http://[::1' dropped: not a valid URL",
        "link 'http://[::1/x' dropped: not a valid URL",
    )


def test_a_page_with_a_bad_published_time_keeps_the_rest() -> None:
    page = (
        '<html><head><meta property="article:published_time" content="2025-13-45">'
        "<title>A title</title></head><body><p>Body text.</p></body></html>"
    )
    article = parse(page, "a.html")
    assert (article.title, article.published) == ("A title", None)
    assert article.warnings == ("published time '2025-13-45' dropped: month must be in 1..12",)


# Bounded work: nesting and size limits give a reason, never a traceback.


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: T\nx: " + "[" * 500 + "]" * 500 + "\n---\nBody.\n",
         "YAML front matter is not valid: nested more than 50 levels deep"),
        ("---\nx:\n" + "".join("  " * i + "a:\n" for i in range(1, 200)) + "---\nBody.\n",
         "YAML front matter is not valid: nested more than 50 levels deep"),
        ("+++\nx = " + "[" * 3000 + "]" * 3000 + "\n+++\nBody.\n",
         "TOML front matter is nested too deep"),
        ("<html><body>" + "<div>" * 5000 + "text" + "</div>" * 5000 + "</body></html>",
         "HTML nested more than 250 elements deep"),
        ("<html><body>" + "<p>a</p>" * 20001 + "</body></html>",
         "HTML article has more than 20,000 elements"),
    ],
)  # fmt: skip
def test_documents_nested_too_deep_or_too_large_are_rejected_with_a_reason(
    text: str, reason: str
) -> None:
    assert rejected(text, "doc.html" if text.startswith("<") else "doc.md") == reason


def test_a_text_document_is_read_up_to_its_line_limit_with_a_warning() -> None:
    article = parse("# T\n\n" + "A line of the body.\n" * 6000, "a.md")
    assert article.warnings == ("text after line 5,000 dropped: too many lines for an article",)
    assert article.paragraphs


@pytest.mark.slow
@pytest.mark.parametrize(
    "pattern",
    ["By [A](#) ", "[](", "![", "_a", "*a ", "<", "\\", "&amp;", "---\n", "# a\n", "- a\n",
     "> a\n\n", "[](\n\n", "By A | Mar 2, 2025\n\n", "<a href=x>", "<b><i>"],
)  # fmt: skip
def test_a_megabyte_of_a_repeated_pattern_is_read_or_rejected(pattern: str) -> None:
    # Superlinear parsing made these take minutes; bench/parse_speed.py prints the times.
    text = pattern * (1_000_000 // len(pattern))
    for name in ("doc.md", "doc.txt", "doc.html"):
        try:
            article = parse(text, name)
        except DocumentError as exc:
            assert exc.path == name
        else:
            assert isinstance(article, Article)


def test_plain_text_reads_a_byline_with_a_date_and_a_dateline_under_its_title() -> None:
    article = parse(
        "Harbour pilots strike\n\nBy Lena Marsh | March 4, 2025 10:00 CET\n\n"
        "Coastline Monitor, March 5, 2025\n\nPilots walked out on Monday.\n\nTalks resume today.\n",
        "a.txt",
    )
    assert (article.format, article.title, article.author) == (
        "plain",
        "Harbour pilots strike",
        "Lena Marsh",
    )
    assert article.published == datetime(2025, 3, 4, 10, tzinfo=timezone(timedelta(hours=1)))
    assert article.source == "Coastline Monitor"
    assert article.paragraphs == ("Pilots walked out on Monday.", "Talks resume today.")


def test_a_headline_in_capitals_that_opens_like_a_byline_is_not_an_author() -> None:
    article = parse("DI GIORGIO <DIG> TO EVALUATE GABELLI OFFER\n\nThe board met.\n", "a.txt")
    assert (article.author, article.title) == (None, "DI GIORGIO <DIG> TO EVALUATE GABELLI OFFER")
    assert header_of("BY ANA LOPES").author == "ANA LOPES"
