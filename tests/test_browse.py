"""Which archive page shows which articles: planned from references alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.model import DocumentRef
from digest.publish.browse import PAGE, site_map


def ref(n: int, when: datetime, regions: tuple[str, ...] = ("Europe",)) -> DocumentRef:
    return DocumentRef(f"id-{n}", f"s{n}", when, when, regions, ("Energy",), f"fp{n}")


def newest_first(refs: list[DocumentRef]) -> list[DocumentRef]:
    return sorted(refs, key=lambda r: r.published, reverse=True)


def test_a_crowded_month_is_cut_into_parts_counted_from_its_oldest_article() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    refs = newest_first([ref(n, start + timedelta(minutes=n)) for n in range(PAGE * 2 + 5)])
    pages = site_map(refs).everything.pages
    assert [(p.path, len(p.ids)) for p in pages] == [
        ("archive/2025-01.html", PAGE),
        ("archive/2025-01-2.html", PAGE),
        ("archive/2025-01-3.html", 5),
    ]
    assert pages[0].ids[-1] == "id-0" and pages[0].ids[0] == f"id-{PAGE - 1}"
    assert pages[1].label == "January 2025 (2 of 3)"


def test_a_newer_article_leaves_the_full_parts_of_its_month_as_they_were() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    refs = [ref(n, start + timedelta(minutes=n)) for n in range(PAGE + 3)]
    before = site_map(newest_first(refs)).everything.pages
    later = ref(999, start + timedelta(days=3))
    after = site_map(newest_first([*refs, later])).everything.pages
    assert after[0] == before[0]
    assert after[1].ids[0] == "id-999"


def test_months_are_listed_newest_first_with_their_counts() -> None:
    refs = newest_first(
        [
            ref(1, datetime(2024, 12, 31, 23, tzinfo=UTC)),
            ref(2, datetime(2025, 2, 3, tzinfo=UTC)),
            ref(3, datetime(2025, 2, 4, tzinfo=UTC), regions=()),
        ]
    )
    site = site_map(refs)
    assert [(m.label, m.count) for m in site.everything.months] == [
        ("February 2025", 2),
        ("December 2024", 1),
    ]
    assert [(r.name, r.path) for r in site.regions] == [
        ("Europe", "regions/europe.html"),
        ("Unclassified", "regions/unclassified.html"),
    ]


def test_a_month_of_more_than_four_pages_is_cut_by_day_and_linked_at_its_oldest_day() -> None:
    start = datetime(2025, 3, 1, tzinfo=UTC)
    # 401 articles over 3 days of March, the first day's 150 in two parts; one in April.
    times = [start + timedelta(minutes=n) for n in range(150)]
    times += [start + timedelta(days=1 + n % 2, minutes=n) for n in range(251)]
    refs = newest_first([ref(n, when) for n, when in enumerate(times)])
    refs.insert(0, ref(999, datetime(2025, 4, 2, tzinfo=UTC)))
    listing = site_map(refs).everything
    assert [(p.path, p.label, len(p.ids)) for p in listing.pages] == [
        ("archive/2025-03-01.html", "1 March 2025 (1 of 2)", PAGE),
        ("archive/2025-03-01-2.html", "1 March 2025 (2 of 2)", 50),
        ("archive/2025-03-02.html", "2 March 2025 (1 of 2)", PAGE),
        ("archive/2025-03-02-2.html", "2 March 2025 (2 of 2)", 26),
        ("archive/2025-03-03.html", "3 March 2025 (1 of 2)", PAGE),
        ("archive/2025-03-03-2.html", "3 March 2025 (2 of 2)", 25),
        ("archive/2025-04.html", "April 2025", 1),
    ]
    assert [(m.label, m.path, m.count) for m in listing.months] == [
        ("April 2025", "archive/2025-04.html", 1),
        ("March 2025", "archive/2025-03-01.html", 401),
    ]
