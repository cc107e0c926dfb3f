"""Documents built by hand, for tests of stages after ingest."""

from __future__ import annotations

from datetime import UTC, datetime

from digest.model import Article, Document, DocumentRef, Labels


def make_document(
    n: int = 1,
    *,
    title: str | None = None,
    regions: tuple[str, ...] = ("Europe",),
    themes: tuple[str, ...] = ("Energy",),
    inferred: bool = False,
    published: datetime | None = None,
    author: str | None = "Ana Lopes",
    url: str | None = None,
    source: str | None = None,
    rights: str | None = None,
    content_html: str | None = None,
) -> Document:
    published = published or datetime(2025, 1, n % 28 + 1, 9, 30, tzinfo=UTC)
    title = title or f"Grid operators agree winter plan number {n}"
    article = Article(
        format="yaml",
        title=title,
        author=author,
        published=published,
        paragraphs=(f"Operators signed plan {n} on Tuesday.", "It covers the coldest weeks."),
        content_html=content_html or f"<p>Operators signed plan {n} on Tuesday.</p>",
        url=url,
        source=source,
        rights=rights,
    )
    return Document(
        id=f"tag:news.example.org,2025-01-10:entry/{n:016x}",
        path=f"doc-{n}.md",
        slug=f"plan-{n}",
        content_hash=f"{n:064x}",
        first_seen=published,
        published=published,
        updated=published,
        article=article,
        title=title,
        summary=f"Operators signed plan {n} on Tuesday.",
        regions=Labels(regions, inferred),
        themes=Labels(themes, inferred),
    )


def ref_of(doc: Document) -> DocumentRef:
    return DocumentRef(
        id=doc.id,
        slug=doc.slug,
        published=doc.published,
        updated=doc.updated,
        regions=doc.regions.names,
        themes=doc.themes.names,
        fingerprint=f"{doc.content_hash}|{doc.updated}|{doc.regions}|{doc.themes}",
    )
