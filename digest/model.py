"""The document model every pipeline stage shares.

`Article` is what a parser reads out of one file (pure data, no I/O);
`Document` is an article once the store gave it an identity and times and the
enrichers gave it a summary, regions and themes: what the feeds, pages and
digests publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

UNCLASSIFIED = "Unclassified"
# The feed of sent digests: written by the mailer, listed and bootstrapped by the build.
DIGESTS_FEED = "digests.xml"


@dataclass(frozen=True, slots=True)
class Article:
    """The fields one input document states about itself.

    Every text field is plain text: no markup, no boilerplate, no control
    characters. `content_html` is the sanitised HTML body (standfirst
    included) that feeds and pages show.
    """

    format: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    regions: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    standfirst: str | None = None
    paragraphs: tuple[str, ...] = ()
    content_html: str = ""
    url: str | None = None
    rights: str | None = None
    source: str | None = None
    series: str | None = None
    # The lead image as written (front matter `image`, og:image, or the body's
    # first image): absolute, or relative to `url`. Publishing resolves it.
    image: str | None = None
    # Fields that could not be read and were left out, or dates flagged as wrong:
    # one line each, saying what and where ("date '2025-13-01' dropped: ...").
    warnings: tuple[str, ...] = ()
    # The language the document declares (BCP 47, "fr", "pt-BR"); None: the feed's.
    language: str | None = None

    @property
    def text(self) -> str:
        """The body as plain text, one paragraph a line, standfirst first."""
        parts = [self.standfirst] if self.standfirst else []
        parts.extend(self.paragraphs)
        return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class Labels:
    """Regions or themes, and whether the document named them itself."""

    names: tuple[str, ...]
    inferred: bool

    @property
    def primary(self) -> str:
        return self.names[0] if self.names else UNCLASSIFIED


@dataclass(frozen=True, slots=True)
class Document:
    """A published document: an article with identity, times and enrichment."""

    id: str
    path: str
    slug: str
    content_hash: str
    first_seen: datetime
    published: datetime
    updated: datetime
    article: Article
    title: str
    summary: str
    regions: Labels
    themes: Labels

    @property
    def author(self) -> str | None:
        return self.article.author


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """What publishing needs to plan its work without loading whole documents."""

    id: str
    slug: str
    published: datetime
    updated: datetime
    regions: tuple[str, ...]
    themes: tuple[str, ...]
    # Changes whenever anything an entry shows changes: content or labels.
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why one input file cannot be published."""

    reason: str
