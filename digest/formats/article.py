"""Put a document's metadata and body blocks together into an Article.

Shared by every format, so the same rules hold everywhere: a trailing site
footer is cut (keeping the author's bio), boilerplate paragraphs are dropped
and their copyright line kept as `rights`, a heading repeating the title goes,
and an italic lead paragraph becomes the standfirst.
"""

from __future__ import annotations

import re
from html import escape

from digest.boilerplate import find_rights, is_boilerplate
from digest.formats.blocks import Block, render
from digest.formats.fields import Meta
from digest.model import Article

# "<strong>Ana Lopes</strong> is a Lisbon-based reporter...": the author's bio in a footer.
_BIO = re.compile(
    r"<strong>[^<]{2,80}</strong>,?\s+(is|was|has|writes|works|teaches|serves|covers|reports)\b"
)


def assemble(fmt: str, meta: Meta, blocks: list[Block], warnings: tuple[str, ...] = ()) -> Article:
    """The Article for `meta` and body `blocks`; paragraphs may come out empty.

    `warnings` are what reading the body left out, beside the metadata's own.
    """
    title, blocks = _title(meta.title, blocks)
    # Each block is tested once, for the footer and for the body alike.
    plates = [b.kind != "break" and is_boilerplate(b.text) for b in blocks]
    body, footer = split_footer(blocks, plates)
    bios = [b for b in footer if _BIO.match(b.html)]
    furniture = plates[: len(body)]
    kept = [b for b, drop in zip(body, furniture, strict=True) if b.kind != "break" and not drop]
    dropped = [b for b, drop in zip(body, furniture, strict=True) if drop] + footer
    rights = meta.rights or next(filter(None, (find_rights(b.text) for b in dropped)), None)
    standfirst, lead, kept = _standfirst(meta.standfirst, kept + bios)
    shown = [lead, *kept] if lead else kept
    return Article(
        format=fmt,
        title=title,
        author=meta.author,
        published=meta.published,
        updated=meta.updated,
        regions=meta.regions,
        themes=meta.themes,
        standfirst=standfirst,
        paragraphs=tuple(b.text for b in kept if b.prose),
        content_html=render(shown),
        url=meta.url,
        rights=rights,
        source=meta.source,
        series=meta.series,
        image=meta.image,
        warnings=meta.warnings + warnings,
        language=meta.language,
    )


def split_footer(blocks: list[Block], boilerplate: list[bool]) -> tuple[list[Block], list[Block]]:
    """Body and footer: the footer starts at a break (a rule, a lone "*") after which
    the next paragraph and most of the rest are boilerplate (`boilerplate` says which
    blocks are)."""
    if all(b.kind != "break" for b in blocks):
        return blocks, []
    # Counted once from the end, so that a page of many rules stays linear.
    plates = [0] * (len(blocks) + 1)  # boilerplate blocks from n on
    texts = [0] * (len(blocks) + 1)  # blocks other than breaks from n on
    following = [len(blocks)] * (len(blocks) + 1)  # the first of those at or after n
    for n in range(len(blocks) - 1, -1, -1):
        text = blocks[n].kind != "break"
        plate = boilerplate[n]
        plates[n] = plates[n + 1] + plate
        texts[n] = texts[n + 1] + text
        following[n] = n if text else following[n + 1]
    for n, block in enumerate(blocks):
        if block.kind != "break":
            continue
        first = following[n + 1]
        if first == len(blocks) or plates[first] == plates[first + 1]:
            continue  # nothing after the break, or it is not boilerplate
        if 2 * plates[n + 1] >= texts[n + 1]:
            return blocks[:n], [b for b in blocks[n + 1 :] if b.kind != "break"]
    return blocks, []


def _title(title: str | None, blocks: list[Block]) -> tuple[str | None, list[Block]]:
    """The title, taking a leading top heading when metadata gave none; a heading
    that repeats the title is dropped from the body."""
    first = next((n for n, b in enumerate(blocks) if b.kind != "break"), None)
    if first is None or not blocks[first].kind.startswith("h"):
        return title, blocks
    heading = blocks[first]
    if title is None and heading.kind == "h1":
        return heading.text, blocks[first + 1 :]
    if title is not None and heading.text.casefold() == title.casefold():
        return title, blocks[first + 1 :]
    return title, blocks


def _standfirst(
    given: str | None, blocks: list[Block]
) -> tuple[str | None, Block | None, list[Block]]:
    """The standfirst, the block showing it, and the body blocks without it."""
    lead = blocks[0] if blocks else None
    if lead and not (lead.kind == "p" and lead.wrap is None and lead.emphasised):
        lead = None
    if given is None:
        return (lead.text, lead, blocks[1:]) if lead else (None, None, blocks)
    if lead and lead.text == given:
        return given, lead, blocks[1:]
    shown = Block("p", given, f"<em>{escape(given)}</em>", emphasised=True)
    return given, shown, blocks
