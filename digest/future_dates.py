"""Dates a document gives itself that lie in the future.

An article dated 2031 is a typo or a placeholder, not a schedule: it keeps the
date it states, flagged with a warning, but feeds and the landing page order it
by when it was first seen, so it never sits on top of everything else.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from digest.model import Article

# Ahead of the build by more than this, a date is in the future (time zones and
# clock skew account for less).
FUTURE_SLACK = timedelta(days=1)


def trusted_dates(
    article: Article, now: datetime
) -> tuple[Article, datetime | None, datetime | None]:
    """The article, flagged if it is dated more than a day after `now`, and the
    (published, updated) dates fit to order and date feeds by: a future date is
    kept on the article but none of these, so it never tops a feed or the index."""
    dates = [article.published, article.updated]
    notes: list[str] = []
    for n, (name, found) in enumerate(zip(("date", "updated date"), dates, strict=True)):
        if found is not None and found > now + FUTURE_SLACK:
            notes.append(f"{name} {found.isoformat()} is in the future; not used to order feeds")
            dates[n] = None
    if notes:
        article = replace(article, warnings=(*article.warnings, *notes))
    return article, dates[0], dates[1]
