"""Static files every feeds folder carries: the feed icon, logo, favicon and XSL stylesheet.

The icon and logo are the shipped ones unless `[feed].icon` / `[feed].logo`
name a file (copied in) or a URL (linked as it is). `favicon.ico` is made
from the icon when it is a PNG: an ICO file may hold a PNG as it is.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePath

from digest.config import FeedSettings

STYLESHEET = "feed.xsl"
FAVICON = "favicon.ico"
_PNG = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class Assets:
    icon: str  # absolute URL
    logo: str
    files: tuple[tuple[str, bytes], ...]  # (path in the feeds folder, content)


def site_assets(feed: FeedSettings) -> Assets:
    files = [(STYLESHEET, _shipped("feed.xsl"))]
    icon, icon_data = _image(feed, feed.icon, "icon", files)
    logo, _ = _image(feed, feed.logo, "logo", files)
    if not icon_data.startswith(_PNG):
        icon_data = _shipped("icon.png")
    files.append((FAVICON, ico_from_png(icon_data)))
    return Assets(icon=icon, logo=logo, files=tuple(files))


def _image(
    feed: FeedSettings, setting: str, name: str, files: list[tuple[str, bytes]]
) -> tuple[str, bytes]:
    """The image's URL and, when this site serves it, its bytes (added to `files`)."""
    if setting.startswith(("http://", "https://")):
        return setting, b""
    if setting:
        path = Path(setting)
        rel, data = f"{name}{path.suffix.lower()}", path.read_bytes()
    else:
        rel, data = f"{name}.png", _shipped(f"{name}.png")
    files.append((rel, data))
    return feed.base_url + rel, data


def ico_from_png(png: bytes) -> bytes:
    """An ICO file holding one PNG image (Windows Vista's format, read by every browser)."""
    width, height = struct.unpack(">II", png[16:24])
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack(
        "<BBBBHHII", width % 256, height % 256, 0, 0, 1, 32, len(png), 6 + 16
    )  # 0 means 256 pixels
    return header + entry + png


def stylesheet_href(document: str) -> str:
    """The stylesheet's URL relative to `document`: same origin however the site is reached."""
    depth = len(PurePath(document).parts) - 1
    return "../" * depth + STYLESHEET


def _shipped(name: str) -> bytes:
    return resources.files("digest").joinpath(f"assets/{name}").read_bytes()
