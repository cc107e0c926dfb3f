"""What a digest says: subject, HTML and plain-text bodies, rendered with Jinja2.

Templates ship in `digest/templates/mail/`; a folder named by
`[digest].templates` overrides any of them by file name. The HTML part gets
its CSS inlined by premailer, because many mail clients drop <style>.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
import markupsafe
from premailer import Premailer

from digest.config import DigestSettings, FeedSettings, Recipient
from digest.enrich.themes import ThemeNames
from digest.grouping import group
from digest.mail.periods import Period, day_text, label
from digest.model import Document
from digest.publish.pages import page_path
from digest.text import squash


@dataclass(frozen=True, slots=True)
class Links:
    """A recipient's own links: each carries a signed token, never the address."""

    unsubscribe: str  # a page with a button, and the RFC 8058 one-click POST target
    preferences: str
    archive: str  # this digest's archived page: "view in browser"
    mailto: str | None = None  # only when an unsubscribe mailbox is configured

    @property
    def header(self) -> tuple[str, ...]:
        """The URIs of the List-Unsubscribe header."""
        return (self.mailto, self.unsubscribe) if self.mailto else (self.unsubscribe,)

    @property
    def one_click(self) -> bool:
        # RFC 8058 one-click needs an HTTPS URI.
        return self.unsubscribe.startswith("https://")


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    count: int
    html: str
    text: str


def links_for(
    digest: DigestSettings,
    feed: FeedSettings,
    *,
    unsubscribe_token: str,
    preferences_token: str,
    page: str,
) -> Links:
    mailto = None
    if digest.unsubscribe_mailbox:
        mailto = f"mailto:{digest.unsubscribe_mailbox}?subject=unsubscribe"
    return Links(
        unsubscribe=f"{feed.base_url}unsubscribe?t={quote(unsubscribe_token, safe='')}",
        preferences=f"{feed.base_url}preferences?t={quote(preferences_token, safe='')}",
        archive=feed.base_url + page,
        mailto=mailto,
    )


# What a digest rendered once for many recipients carries where each one's own
# address and links go (see `personalise`). Plain ASCII: no escaping, wrapping or
# CSS inlining changes them.
PLACEHOLDER_ADDRESS = "recipient-0d1g3st@placeholder.invalid"
_PLACEHOLDER_UNSUBSCRIBE = "https://placeholder.invalid/0d1g3st-unsubscribe"
_PLACEHOLDER_PREFERENCES = "https://placeholder.invalid/0d1g3st-preferences"


def placeholder_links(archive: str) -> Links:
    return Links(_PLACEHOLDER_UNSUBSCRIBE, _PLACEHOLDER_PREFERENCES, archive)


def personalise(rendered: Rendered, address: str, links: Links) -> Rendered:
    """A digest rendered with the placeholders, made one recipient's own."""
    html, text = rendered.html, rendered.text
    for mark, value in (
        (PLACEHOLDER_ADDRESS, address),
        (_PLACEHOLDER_UNSUBSCRIBE, links.unsubscribe),
        (_PLACEHOLDER_PREFERENCES, links.preferences),
    ):
        html = html.replace(mark, str(markupsafe.escape(value)))
        text = text.replace(mark, value)
    return Rendered(rendered.subject, rendered.count, html, text)


def for_recipient(
    documents: Sequence[Document], recipient: Recipient, names: ThemeNames | None = None
) -> list[Document]:
    """The documents a recipient asked for.

    Within regions (or themes) any match counts; when both are given a
    document must match both, so "Europe" + "Energy" means European energy news.
    With the taxonomy's `names`, themes match as filed: asking for "Economy &
    Trade" brings the stories a site labelled "Global Economy".
    """

    def filed(name: str) -> str:
        return (names.group_of(name) if names is not None else name).casefold()

    regions = {name.casefold() for name in recipient.regions}
    themes = {filed(name) for name in recipient.themes}

    def wanted(doc: Document) -> bool:
        in_region = not regions or any(n.casefold() in regions for n in doc.regions.names)
        in_theme = not themes or any(filed(n) in themes for n in doc.themes.names)
        return in_region and in_theme

    return [doc for doc in documents if wanted(doc)]


def subject_line(prefix: str, period_label: str, count: int) -> str:
    articles = "no new articles" if count == 0 else f"{count} new article{'s' * (count != 1)}"
    return squash(f"{prefix}, {period_label}: {articles}")


class Renderer:
    """Renders digests for one configuration; templates are loaded once."""

    def __init__(
        self, digest: DigestSettings, feed: FeedSettings, themes: ThemeNames | None = None
    ) -> None:
        self._digest = digest
        self._feed = feed
        self._themes = themes
        self._zone = ZoneInfo(digest.timezone)
        loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("digest", "templates/mail")]
        if digest.templates:
            loaders.insert(0, jinja2.FileSystemLoader(digest.templates))
        self._env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self._env.filters["wrap"] = wrap

    def render(
        self,
        documents: Sequence[Document],
        period: Period,
        recipient: str | None,
        links: Links | None = None,
    ) -> Rendered:
        """The digest of `documents`; recipient None renders the public archive page."""
        period_label = label(period, self._zone)
        subject = subject_line(self._digest.subject, period_label, len(documents))
        context = {
            "subject": subject,
            "title": self._digest.subject,
            "period_label": period_label,
            "count": len(documents),
            "groups": group(documents, self._themes),
            "feed": self._feed,
            "recipient": recipient,
            "links": links if recipient else None,
            "link_of": self.link_of,
            "byline": self.byline,
            "tags": tags,
        }
        html = self._env.get_template("digest.html").render(context)
        text = self._env.get_template("digest.txt").render(context)
        return Rendered(subject, len(documents), inline_css(html), tidy_text(text))

    def link_of(self, doc: Document) -> str:
        return doc.article.url or self._feed.base_url + page_path(doc)

    def byline(self, doc: Document) -> str:
        parts = [doc.article.source, doc.author, day_text(doc.published.astimezone(self._zone))]
        return " · ".join(squash(p) for p in parts if p)


def tags(doc: Document) -> list[str]:
    """The regions and themes a document is filed under besides its primary ones."""
    return [*doc.regions.names[1:], *doc.themes.names[1:]]


def wrap(text: str, width: int = 72, indent: str = "", first: str | None = None) -> str:
    """Fill a paragraph for the text part; `first` replaces the indent of its first line."""
    return textwrap.fill(
        squash(text),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def tidy_text(text: str) -> str:
    """At most one blank line in a row, no trailing spaces: templates need not count newlines."""
    # "-- " keeps its space: it is the signature separator mail clients recognise.
    lines = [line if line == "-- " else line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def inline_css(html: str) -> str:
    inlined: str = Premailer(
        html,
        allow_network=False,
        cssutils_logging_level=logging.CRITICAL,
        disable_validation=True,
    ).transform()
    # premailer drops the doctype; without it clients render in quirks mode.
    return "<!doctype html>\n" + inlined
