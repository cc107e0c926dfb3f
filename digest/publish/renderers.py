"""The renderer of each feed format: `Head` and entries in, the document's bytes out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from digest.publish.atom import atom_document
from digest.publish.feeds import Entry, Format, Head
from digest.publish.jsonfeed import json_document
from digest.publish.rss import rss_document

RENDERERS: Mapping[Format, Callable[[Head, Sequence[Entry]], bytes]] = {
    Format.ATOM: atom_document,
    Format.RSS: rss_document,
    Format.JSON: json_document,
}
