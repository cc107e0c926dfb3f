"""Turn one file into a published article: read, decode, parse, enrich.

These run in worker processes during large builds, so they take everything
they need as arguments and return plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digest.config import Config
from digest.decode import decode
from digest.enrich.pipeline import Enriched, Enricher
from digest.enrich.themes import ThemeModel
from digest.errors import DocumentError, describe
from digest.model import Article, Labels, Rejected
from digest.parse import parse


@dataclass(frozen=True, slots=True)
class Ingest:
    """What a worker needs: the parse rule and the enrichment models."""

    dayfirst: bool
    enricher: Enricher

    def warm(self) -> None:
        """Build the lazy caches now (a worker does, before its first document is timed)."""
        self.enricher.regions  # noqa: B018 -- a cached property: reading it builds it


def make_ingest(config: Config, themes: ThemeModel | None) -> Ingest:
    """What a worker needs; with no theme model, unlabelled documents' themes are left to
    a later pass (see Enricher)."""
    enricher = Enricher(config.summary, config.regions, themes, cache=config.paths.state)
    return Ingest(config.ingest.dayfirst, enricher)


def prepare(ingest: Ingest, job: tuple[str, Path]) -> tuple[Article, Enriched] | Rejected:
    """Read, parse and enrich one file: the article, or why it cannot be published."""
    relpath, path = job
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Rejected(f"cannot read: {exc.strerror or exc}")
    try:
        article = parse(decode(data, relpath), relpath, dayfirst=ingest.dayfirst)
    except DocumentError as exc:
        return Rejected(exc.reason)
    except Exception as exc:
        # A bug or an input no parser foresaw: this document only, with what a
        # bug report needs; the build goes on.
        return Rejected(f"cannot parse: {describe(exc)}")
    try:
        return article, ingest.enricher.enrich(article)
    except Exception as exc:
        return Rejected(f"cannot summarise or label: {describe(exc)}")


def failed(job: tuple[str, Path], reason: str) -> Rejected:
    """What `prepare` gives for a file whose work raised, stalled or crashed its process."""
    return Rejected(reason)


def infer_themes(ingest: Ingest, item: tuple[str, Labels, str, str]) -> tuple[str, Labels, Labels]:
    """(id, themes before, themes now) of one unlabelled document."""
    doc_id, before, title, text = item
    return doc_id, before, ingest.enricher.infer_themes(title, text)


def keep_themes(item: tuple[str, Labels, str, str], reason: str) -> tuple[str, Labels, Labels]:
    """A document whose themes could not be re-inferred keeps the ones it has."""
    doc_id, before, _, _ = item
    return doc_id, before, before
