"""Performance benchmark (issue 6): build times, rebuilds, daemon latency, idle CPU, digest.

    .venv/bin/python bench/perf.py [--sizes 1000,10000,100000] [--skip-pelican] [--skip-daemon]
                                   [--rounds N] [--out DIR] [--rebuilds-only]
                                   [--rebuild-rounds N] [--baseline CHECKOUT]

Generates deterministic synthetic corpora (every supported input format, some files in
subfolders), runs `digest build` on them as subprocesses and prints one markdown table
of measures against the targets of issues 6 and 12. Each size gets a cold build (wall,
CPU of the whole process tree, peak RSS of the main process and of the whole tree), then
rounds of rebuilds from the command line: no change (output checked byte-identical), one
file added, edited, deleted, and one dated mid-archive added and deleted, each as a ratio
to the floor (Python start-up plus a stat of every file) timed between them. With 10,000
documents it also runs the daemon (`digest run`, server on a free port) to time drops to
the served feed and its idle CPU, renders a digest of 1,000 entries in-process, and builds
the same articles, alternating, with digest, Pelican (installed into a throwaway venv
under the work folder, never into this one), Hugo (Debian's `hugo`, when installed) and
the floor script (read, escape, write one page each and one feed atomically). CPU seconds
are those of the whole process tree: this process adopts orphaned grandchildren (a
forkserver) and reaps them. Load averages are printed at the start and the end.
Corpora go to a temporary folder unless --out names one; nothing is written to the repo.
`--rebuilds-only --sizes 10000` is the quick run for the rebuild figures (a few minutes).

It measures the `digest` that the running Python imports (the editable install), with
bytecode caching on as an installed package has it. `--baseline CHECKOUT` times the
rebuilds of another checkout's `digest` too (put first on PYTHONPATH), alternating with
this one, from a copy of the same state: before and after a change, in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import hashlib
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20250604
DAEMON_SIZE = 10_000
PELICAN_SIZE = 10_000
PELICAN_SPECS = ("pelican[markdown]==4.12.0", "pelican[markdown]>=4,<5")

# --- Synthetic articles --------------------------------------------------------------

# (city, country, region): the region is the one the shipped table gives the country,
# so explicit metadata and inference agree as they would on real news.
PLACES = (
    ("London", "Britain", "Europe"), ("Berlin", "Germany", "Europe"),
    ("Madrid", "Spain", "Europe"), ("Warsaw", "Poland", "Europe"),
    ("Moscow", "Russia", "Russia and FSU"), ("Kyiv", "Ukraine", "Russia and FSU"),
    ("Almaty", "Kazakhstan", "Russia and FSU"), ("Cairo", "Egypt", "Middle East & North Africa"),
    ("Istanbul", "Turkey", "Middle East & North Africa"),
    ("Baghdad", "Iraq", "Middle East & North Africa"), ("Lagos", "Nigeria", "Sub-Saharan Africa"),
    ("Nairobi", "Kenya", "Sub-Saharan Africa"), ("Accra", "Ghana", "Sub-Saharan Africa"),
    ("Tokyo", "Japan", "Asia"), ("Jakarta", "Indonesia", "Asia"), ("Seoul", "South Korea", "Asia"),
    ("Mumbai", "India", "South Asia"), ("Dhaka", "Bangladesh", "South Asia"),
    ("Karachi", "Pakistan", "South Asia"), ("Bogotá", "Colombia", "Latin America & Caribbean"),
    ("Lima", "Peru", "Latin America & Caribbean"),
    ("São Paulo", "Brazil", "Latin America & Caribbean"), ("Chicago", "the United States", "USA"),
    ("Houston", "the United States", "USA"), ("Toronto", "Canada", "Canada"),
    ("Montreal", "Canada", "Canada"), ("Sydney", "Australia", "Oceania"),
    ("Auckland", "New Zealand", "Oceania"),
)  # fmt: skip

# Theme -> words that name it (a subset of the shipped taxonomy's keywords, so inference
# has something to find) and subjects for headlines.
THEMES = {
    "Politics & Elections": ("election", "voters", "parliament", "coalition", "opposition",
                             "campaign", "ballot", "lawmakers"),
    "Conflict & Defense": ("military", "troops", "ceasefire", "artillery", "navy", "defence",
                           "drone", "frontline"),
    "Economy & Trade": ("exports", "tariff", "inflation", "investment", "budget", "currency",
                        "market", "trade"),
    "Energy": ("pipeline", "electricity", "refinery", "grid", "solar", "fuel", "coal", "oil"),
    "Climate & Environment": ("drought", "emissions", "wildlife", "flood", "pollution",
                              "conservation", "heatwave", "glacier"),
    "Health": ("hospital", "vaccine", "patients", "clinic", "outbreak", "nurses", "treatment",
               "medicine"),
    "Science & Technology": ("satellite", "software", "laboratory", "research", "semiconductor",
                             "robot", "scientists", "internet"),
    "Law & Justice": ("court", "prosecutor", "verdict", "trial", "police", "appeal", "judge",
                      "lawyer"),
    "Society & Culture": ("festival", "museum", "school", "university", "migration",
                          "community", "heritage", "music"),
    "Sport": ("championship", "tournament", "coach", "league", "season", "team", "match",
              "athletes"),
}  # fmt: skip
THEME_NAMES = tuple(THEMES)
FIRST = ("Amara", "Jonas", "Lucía", "Mehmet", "Farhana", "Min-jun", "Irina", "Kwame", "Sofia",
         "Rahul", "Ana", "Tomasz", "Yuki", "Chidi", "Elena", "Omar", "Priya", "Lars", "Wanjiru",
         "Diego", "Hana", "Pavel", "Nadia", "Kofi")  # fmt: skip
LAST = ("Okafor", "Keller", "Benítez", "Aydın", "Kabir", "Seo", "Volkova", "Mensah", "Rossi",
        "Sharma", "Silva", "Nowak", "Tanaka", "Eze", "Popescu", "Haddad", "Iyer", "Lindqvist",
        "Mwangi", "Ramírez", "Kim", "Petrov", "Farouk", "Boateng")  # fmt: skip
ROLES = ("minister", "spokeswoman", "spokesman", "director", "chief economist", "mayor",
         "senior official", "analyst", "chair", "researcher")  # fmt: skip
ORGS = ("the regional council", "the national statistics office", "the central bank",
        "the interior ministry", "a local trade union", "the port authority",
        "an independent monitoring group", "the planning commission", "the city hall",
        "a consortium of local firms")  # fmt: skip
SITES = ("Harbour Ledger", "Delta Review", "Northern Courier", "Daily Meridian", "Wire Desk",
         "Evening Standard-Bearer", "Capital Post")  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
FILLER = ("officials", "residents", "the plan's backers", "local firms", "the agency",
          "the authorities", "observers", "the committee", "experts")  # fmt: skip
VERBS = ("approved", "delayed", "expanded", "reviewed", "cut", "doubled", "suspended",
         "announced", "completed", "questioned")  # fmt: skip
HEADLINE = (
    "{City} {Kw} Plan Faces New Questions", "{Country} Moves to Expand {Kw} Programme",
    "Talks on {Kw} Stall in {City}", "{Person} Warns Over {Kw} Costs in {Country}",
    "{City} Residents Divided as {Kw} Reform Advances", "New {Kw} Figures Surprise {Country}",
    "{Country} Delays {Kw} Decision After Protests",
)  # fmt: skip
SENTENCES = (
    "{person}, the {role} of {org} in {city}, said on {day} that {num} {kw} projects had been "
    "{verb} since {month}.",
    "The {kw} figures published in {city} showed a change of {pct} percent compared with the "
    "same period last year.",
    "{filler} in {country} have argued for months that the {kw} rules were written for a "
    "different era.",
    "According to {org}, about {num} people in and around {city} are directly affected by the "
    "{kw} decision.",
    "\"We cannot wait for another {season} to pass,\" said {person}, who has followed the {kw} "
    "debate in {country} for {small} years.",
    "Critics say the {kw} measures {verb} in {month} do little for families outside {city}.",
    "The {role} told reporters that {filler} expected a further {pct} percent rise before the "
    "end of {month}.",
    "In {city}, {num} households took part in a consultation on {kw} and {kw2} last {season}.",
    "{person} said {org} would publish a full report on the {kw} programme within {small} "
    "weeks.",
    "The previous attempt, in {year}, was {verb} after a dispute over {kw2} funding.",
    "Observers from {country2} said the approach in {country} could become a model for the "
    "wider region.",
    "{filler} said talks on {kw} would resume on {day}, with {small} issues still unresolved.",
    "Figures from {org} suggest that {kw2} spending in {country} has grown by {pct} percent "
    "over {small} years.",
    "Several {kw} sites near {city} were {verb} last week, according to {person}.",
)  # fmt: skip
SEASONS = ("winter", "spring", "summer", "autumn", "rainy season", "dry season")
FOOTER = (
    "\\*\n\nClick the share button below to email or forward this article. Follow us on "
    "[Mastodon](#) and subscribe to our [newsletter](#).\n\n**{author}** reports for {site}."
    "\n\nFeatured image [source](#)\n\n---\n"
)
# Format of article i is FORMATS[i % len(FORMATS)]: about 30% news-site markdown, 20%
# plain text, 15% YAML front matter, 15% headers, 15% TOML front matter, 5% HTML.
FORMATS = ("newsmd", "plain", "yaml", "newsmd", "headers", "toml", "newsmd", "plain", "yaml",
           "headers", "newsmd", "toml", "plain", "newsmd", "yaml", "headers", "newsmd", "toml",
           "plain", "html")  # fmt: skip


@dataclass(slots=True)
class Story:
    """One synthetic article, independent of the format it is written in."""

    index: int
    title: str
    author: str
    site: str
    date: datetime
    city: str
    region: str
    theme: str
    tags: tuple[str, ...]
    standfirst: str
    paragraphs: list[str]
    explicit: bool  # whether the file states its region and theme
    format: str = field(default="newsmd")


def story(index: int, *, date: datetime | None = None) -> Story:
    """Article `index`, the same every run: each has its own seeded generator."""
    rng = random.Random(SEED * 1_000_003 + index)
    city, country, region = rng.choice(PLACES)
    theme = rng.choice(THEME_NAMES)
    words = THEMES[theme]
    other = THEMES[rng.choice(THEME_NAMES)]
    people = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(3)]
    choice, randint = rng.choice, rng.randint

    def sentence() -> str:
        text = choice(SENTENCES).format(
            person=choice(people), role=choice(ROLES), org=choice(ORGS), city=city,
            country=country, country2=choice(PLACES)[1], num=f"{randint(2, 90_000):,}",
            pct=f"{randint(1, 400) / 10:.1f}", day=choice(DAYS), month=choice(MONTHS),
            kw=choice(words), kw2=choice(other + words), verb=choice(VERBS),
            filler=choice(FILLER), season=choice(SEASONS), small=randint(2, 12),
            year=randint(1995, 2023),
        )  # fmt: skip
        return text[0].upper() + text[1:]

    target, count, paragraphs = randint(400, 900), 0, []
    while count < target:
        para = " ".join(sentence() for _ in range(randint(2, 4)))
        paragraphs.append(para)
        count += para.count(" ") + 1
    title = choice(HEADLINE).format(
        City=city, Country=country[4:] if country.startswith("the ") else country,
        Kw=choice(words).title(), Person=people[0],
    )  # fmt: skip
    when = date or datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=randint(0, 525_000))
    return Story(
        index=index,
        title=f"{title} ({index})" if rng.random() < 0.1 else title,
        author=people[0],
        site=choice(SITES),
        date=when,
        city=city,
        region=region,
        theme=theme,
        tags=(words[0], city.lower()),
        standfirst=sentence(),
        paragraphs=paragraphs,
        explicit=rng.random() < 0.55,
        format=FORMATS[index % len(FORMATS)],
    )


def _yaml_text(s: Story) -> str:
    meta = [f'title: "{s.title}"', f"author: {s.author}", f"date: {s.date.isoformat()}"]
    if s.explicit:
        meta += [f"region: {s.region}", f"theme: [{s.theme}]"]
    body = "\n\n".join(s.paragraphs)
    return "---\n" + "\n".join(meta) + f"\nsource: {s.site}\n---\n\n{body}\n"


def _toml_text(s: Story) -> str:
    meta = [f'title = "{s.title}"', f'author = "{s.author}"', f"date = {s.date.isoformat()}"]
    if s.explicit:
        meta += [f'regions = ["{s.region}"]', f'themes = ["{s.theme}"]']
    body = "\n\n".join(s.paragraphs)
    return "+++\n" + "\n".join(meta) + f"\n+++\n\n{body}\n"


def _headers_text(s: Story) -> str:
    meta = [f"Title: {s.title}", f"Date: {s.date:%Y-%m-%d %H:%M}", f"Author: {s.author}",
            f"Category: {s.theme}", f"Tags: {', '.join(s.tags)}"]  # fmt: skip
    if s.explicit:
        meta.append(f"Region: {s.region}")
    return "\n".join(meta) + "\n\n" + "\n\n".join(s.paragraphs) + "\n"


def _newsmd_text(s: Story) -> str:
    head = [
        f"# {s.title}",
        f"By [{s.author}](#)",
        f"{s.site}, {s.date:%B} {s.date.day}, {s.date:%Y}",
    ]
    if s.explicit:
        head += [f"Region: [{s.region}](#)", f"Theme: [{s.theme}](#)"]
    parts = [*head, f"*{s.standfirst}*", *s.paragraphs, FOOTER.format(author=s.author, site=s.site)]
    return "\n\n".join(parts)


def _plain_text(s: Story) -> str:
    return "\n\n".join([s.standfirst, *s.paragraphs]) + "\n"


def _html_text(s: Story) -> str:
    metas = [
        f'<meta name="author" content="{s.author}">',
        f'<meta property="article:published_time" content="{s.date.isoformat()}">',
    ]
    if s.explicit:
        metas += [f'<meta name="region" content="{s.region}">',
                  f'<meta name="theme" content="{s.theme}">']  # fmt: skip
    paras = "\n".join(f"    <p>{p}</p>" for p in s.paragraphs)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n'
        f"  <title>{s.title} | {s.site}</title>\n  " + "\n  ".join(metas) + "\n</head>\n<body>\n"
        '  <nav><a href="/">Front page</a></nav>\n  <article>\n'
        f"    <h1>{s.title}</h1>\n{paras}\n  </article>\n"
        f"  <footer><p>© {s.date.year} {s.site}</p></footer>\n</body>\n</html>\n"
    )


WRITERS: dict[str, tuple[str, Callable[[Story], str]]] = {
    "newsmd": (".md", _newsmd_text),
    "plain": (".txt", _plain_text),
    "yaml": (".md", _yaml_text),
    "toml": (".md", _toml_text),
    "headers": (".md", _headers_text),
    "html": (".html", _html_text),
}


def seed_file(s: Story) -> tuple[str, str]:
    """(relative path, text) of a story in the seeds folder; one in four in a subfolder."""
    ext, write = WRITERS[s.format]
    folder = ("", "", "wires/", f"desks/{s.region.split()[0].lower()}/")[s.index % 4]
    return f"{folder}{s.index:06d}-{s.city.lower().replace(' ', '-')}{ext}", write(s)


def pelican_file(s: Story) -> tuple[str, str]:
    """The same story as Pelican markdown, the format Pelican reads natively."""
    meta = [f"Title: {s.title}", f"Date: {s.date:%Y-%m-%d %H:%M}", f"Category: {s.theme}",
            f"Tags: {', '.join(s.tags)}", f"Author: {s.author}",
            f"Slug: story-{s.index:06d}"]  # fmt: skip
    return f"{s.index:06d}.md", "\n".join(meta) + "\n\n" + "\n\n".join(s.paragraphs) + "\n"


def write_corpus(folder: Path, n: int, render: Callable[[Story], tuple[str, str]]) -> float:
    """Write stories 0..n-1 under `folder`; return the seconds it took."""
    started = time.perf_counter()
    made: set[Path] = set()
    for i in range(n):
        rel, text = render(story(i))
        path = folder / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text, encoding="utf-8")
    return time.perf_counter() - started


# --- Measuring -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    cpu_seconds: float  # user + system: unlike wall time, not inflated by a busy machine
    max_rss_mb: float  # the command's own process
    output: str
    # The most the whole process tree held at once (sampled), workers included.
    tree_rss_mb: float = 0.0


def adopt_orphans() -> None:
    """Become the child subreaper (Linux), so descendants whose parent exits first (a
    forkserver and its workers) are reaped here and counted in RUSAGE_CHILDREN."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _reap_orphans(patience: float = 3.0) -> None:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.02)


def timed(argv: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run a command to completion: its wall time, its own peak RSS (from wait4), the
    peak RSS of its whole process tree (sampled) and the CPU seconds of the whole tree
    (every descendant, reaped here or below)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    peak = _TreeMemory()
    peak.start()
    # Read before waiting so a chatty child never blocks on a full pipe.
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    peak.stop()
    _reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n{output[-3000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    own = usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux
    return Run(seconds, cpu, own, output, max(own, peak.mb))


class _TreeMemory(threading.Thread):
    """Samples the summed resident memory of every process below this one."""

    def __init__(self, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.mb = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.every):
            self.mb = max(self.mb, _descendants_rss_mb(os.getpid()))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _descendants_rss_mb(root: int) -> float:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid], rss[pid] = int(fields[1]), int(fields[21])  # ppid, rss in pages
    total = 0
    for pid in rss:
        up = parents.get(pid)
        while up is not None and up != root and up > 1:
            up = parents.get(up)
        if up == root:
            total += rss[pid]
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def digest_cmd(config: Path, *args: str) -> list[str]:
    # -P: the working folder is not put on the path, so that PYTHONPATH (a baseline
    # checkout) decides which `digest` runs, else the installed one.
    return [sys.executable, "-P", "-m", "digest", "--config", str(config), *args]


def tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_config(work: Path, port: int) -> Path:
    config = work / "config.toml"
    config.write_text(
        '[paths]\nseeds = "seeds"\nfeeds = "feeds"\nstate = "state"\n\n'
        f'[feed]\ntitle = "Bench Digest"\nbase_url = "http://127.0.0.1:{port}/"\n\n'
        '[digest]\nrecipients = ["reader@example.org"]\nsender = "digest@example.org"\n\n'
        f'[server]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\n',
        encoding="utf-8",
    )
    return config


@dataclass(slots=True)
class Row:
    measure: str
    figure: str
    target: str = "—"
    ok: bool | None = None

    def line(self) -> str:
        verdict = "—" if self.ok is None else ("pass" if self.ok else "**FAIL**")
        return f"| {self.measure} | {self.figure} | {self.target} | {verdict} |"


@dataclass(slots=True)
class Report:
    rows: list[Row] = field(default_factory=list)

    def add(self, measure: str, figure: str, target: str = "—", ok: bool | None = None) -> None:
        row = Row(measure, figure, target, ok)
        self.rows.append(row)
        print(f"  {measure}: {figure}", file=sys.stderr, flush=True)

    def table(self) -> str:
        head = "| measure | figure | target | verdict |\n|---|---|---|---|"
        return "\n".join([head, *(r.line() for r in self.rows)])


def _n(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def bench_builds(
    work: Path, n: int, report: Report, rounds: int = 3, baseline: Path | None = None
) -> Path:
    """Cold build, then rounds of no-change and one-file rebuilds of an n-article corpus
    (see bench_rebuilds). Returns the config."""
    seeds = work / "seeds"
    print(f"[{_n(n)}] generating {n} articles in {seeds}", file=sys.stderr, flush=True)
    made = write_corpus(seeds, n, seed_file)
    report.add(f"generate {_n(n)} articles", f"{made:.1f} s")
    config = write_config(work, free_port())
    k = _n(n)

    cold = timed(digest_cmd(config, "build"))
    cold_limit = {10_000: 6.5, 100_000: 90.0}.get(n)
    report.add(
        f"cold build {k}",
        f"{cold.seconds:.2f} s ({n / cold.seconds:,.0f} docs/s; {cold.cpu_seconds:.2f} s CPU)",
        f"<= {cold_limit:g} s" if cold_limit else "—",
        cold.seconds <= cold_limit if cold_limit else None,
    )  # fmt: skip
    rss_ok = cold.tree_rss_mb <= 500 if n == 100_000 else None
    report.add(f"cold build {k} peak RSS (main process; whole process tree, sampled)",
               f"{cold.max_rss_mb:.0f} MB; {cold.tree_rss_mb:.0f} MB",
               "<= 500 MB" if rss_ok is not None else "—", rss_ok)  # fmt: skip
    variants = {"digest": config}
    if baseline is not None:
        # Its own cold build (it may not read a newer schema), of the same seeds
        # folder with the same settings.
        base = work / "baseline"
        base.mkdir()
        base_config = base / "config.toml"
        text = config.read_text(encoding="utf-8").replace('"seeds"', f'"{seeds}"')
        base_config.write_text(text, encoding="utf-8")
        base_cold = timed(digest_cmd(base_config, "build"), env=_pythonpath(baseline))
        report.add(
            f"cold build {k} [baseline]",
            f"{base_cold.seconds:.2f} s ({base_cold.cpu_seconds:.2f} s CPU; "
            f"peak RSS {base_cold.max_rss_mb:.0f} MB; {base_cold.tree_rss_mb:.0f} MB tree)",
        )
        variants["baseline"] = base_config
    bench_rebuilds(seeds, n, variants, report, rounds, baseline)
    return config


# The rebuilds of one round, in order, and what each build must report: a build that
# saw no change would be fast for the wrong reason.
EXPECT = {
    "no-change": "published 0, updated 0",
    "1 added": "published 1",
    "1 edited": "updated 1",
    "1 deleted": "removed 1",
    "1 old added": "published 1",
    "1 old deleted": "removed 1",
}


def bench_rebuilds(
    seeds: Path,
    n: int,
    variants: dict[str, Path],
    report: Report,
    rounds: int,
    baseline: Path | None,
) -> None:
    """No-change and one-file rebuilds from the command line, as ratios to the floor
    measured in the same rounds: each change is made once, then every variant (this
    checkout, the baseline) builds it, so that the machine's load falls on all alike."""
    k = _n(n)
    floors: list[float] = []
    runs: dict[tuple[str, str], list[Run]] = {}
    identical = dict.fromkeys(variants, True)
    for r in range(rounds):
        print(f"[{k}] rebuild round {r + 1} of {rounds}", file=sys.stderr, flush=True)
        floors.append(timed([sys.executable, "-c", STAT_FLOOR, str(seeds)]).seconds)
        for step, expect in EXPECT.items():
            _change(seeds, n, step, r)
            for name, config in variants.items():
                feeds = config.parent / "feeds"
                before = tree_hash(feeds) if step == "no-change" else ""
                env = _pythonpath(baseline) if name == "baseline" else None
                run = timed(digest_cmd(config, "build"), env=env)
                if before and tree_hash(feeds) != before:
                    identical[name] = False
                if expect not in run.output:
                    raise RuntimeError(f"{name}, {step}: expected {expect!r}, got {run.output!r}")
                runs.setdefault((name, step), []).append(run)
        floors.append(timed([sys.executable, "-c", STAT_FLOOR, str(seeds)]).seconds)
    floor, best_floor = statistics.median(floors), min(floors)
    report.add(
        f"floor: Python start-up + stat of {k} files ({len(floors)} runs between the rebuilds)",
        f"median {floor:.3f} s, best {best_floor:.3f} s",
    )
    for step in EXPECT:
        for name in variants:
            got = runs[(name, step)]
            med = statistics.median(x.seconds for x in got)
            best = min(x.seconds for x in got)
            cpu = statistics.median(x.cpu_seconds for x in got)
            figure = (
                f"median {med:.3f} s = {med / floor:.1f}x floor; best {best:.3f} s = "
                f"{best / best_floor:.1f}x best floor; {cpu:.2f} s CPU"
            )
            target, ok = _rebuild_target(step, n, med, floor)
            if step == "no-change":
                figure += ", output " + ("byte-identical" if identical[name] else "CHANGED")
                ok = bool(ok) and identical[name]
            suffix = f" [{name}]" if len(variants) > 1 else ""
            report.add(f"{step} rebuild {k}{suffix}", figure, target,
                       ok if name == "digest" else None)  # fmt: skip


def _rebuild_target(step: str, n: int, seconds: float, floor: float) -> tuple[str, bool | None]:
    if step == "no-change":
        return "<= 2x floor, identical", seconds <= 2 * floor
    if step in ("1 added", "1 edited", "1 deleted"):
        return "<= 3x floor", seconds <= 3 * floor
    if n >= 100_000:
        return "<= 1 s", seconds <= 1.0
    return "—", None


def _pythonpath(checkout: Path | None) -> dict[str, str]:
    """The environment with `checkout` first on the path: its `digest` is the one run."""
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(checkout), env.get("PYTHONPATH")]))
    return env


def _change(seeds: Path, n: int, step: str, round_: int) -> None:
    """Make the change that a rebuild step measures (none for no-change)."""
    new = story(n + round_, date=datetime.now(UTC))
    # Dated months before the corpus's newest: it lands in the middle of the archive.
    old = story(n + 1000 + round_, date=datetime(2024, 6, 15, 12, round_ % 60, tzinfo=UTC))
    if step == "1 added":
        rel, text = seed_file(new)
        (seeds / rel).write_text(text, encoding="utf-8")
    elif step == "1 edited":
        edited = seeds / seed_file(story(n // 2))[0]
        extra = f"\n\nA late paragraph, revision {round_}.\n"
        edited.write_text(edited.read_text(encoding="utf-8") + extra, "utf-8")
    elif step == "1 deleted":
        (seeds / seed_file(new)[0]).unlink()
    elif step == "1 old added":
        rel, text = seed_file(old)
        (seeds / rel).write_text(text, encoding="utf-8")
    elif step == "1 old deleted":
        (seeds / seed_file(old)[0]).unlink()


def bench_daemon(work: Path, config: Path, n: int, drops: int, idle: float, report: Report) -> None:
    """Drop-to-served-feed latency and idle CPU of `digest run` over an n-document state."""
    port = int(config.read_text().split("port = ")[-1].split()[0])
    url = f"http://127.0.0.1:{port}/atom.xml"
    log = (work / "daemon.log").open("wb")
    proc = subprocess.Popen(digest_cmd(config, "run"), stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_served(url, proc, timeout=120)
        time.sleep(2)  # let the start-up build and digest check finish
        outside = work / "incoming"
        outside.mkdir(exist_ok=True)
        latencies: list[float] = []
        run = int(time.time())
        for d in range(drops):
            s = story(1_000_000 + d, date=datetime.now(UTC))
            # Marked with this run's time: a folder reused from another run may
            # hold an earlier drop's file, and its feed that earlier title.
            s.format, s.title = "yaml", f"Drop marker {run} {d:03d} {s.city}"
            rel, text = seed_file(s)
            tmp = outside / Path(rel).name
            tmp.write_text(text, encoding="utf-8")
            target = work / "seeds" / Path(rel).name
            landed = time.perf_counter()
            os.rename(tmp, target)
            latencies.append(_poll_for(url, f"Drop marker {run} {d:03d}", landed, proc))
            time.sleep(0.2)
        ok = [x for x in latencies if x != float("inf")]
        missed = len(latencies) - len(ok)
        p50 = statistics.median(latencies)
        p95 = sorted(latencies)[max(0, round(0.95 * len(latencies)) - 1)]
        report.add(
            f"drop to served atom.xml, {_n(n)} present ({drops} drops)",
            f"p50 {p50:.3f} s, p95 {p95:.3f} s, max {max(latencies):.3f} s"
            + (f", {missed} never seen" if missed else ""),
            "p95 <= 0.5 s", p95 <= 0.5,
        )  # fmt: skip
        time.sleep(3)
        tick = os.sysconf("SC_CLK_TCK")
        before, started = _cpu_ticks(proc.pid), time.perf_counter()
        time.sleep(idle)
        used = (_cpu_ticks(proc.pid) - before) / tick
        share = 100 * used / (time.perf_counter() - started)
        report.add(f"daemon idle CPU over {idle:g} s", f"{share:.2f}% ({used:.2f} s CPU)",
                   "< 1%", share < 1.0)  # fmt: skip
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            body: bytes = resp.read()
            return body.decode("utf-8", errors="replace")
    except OSError:
        return None


def _wait_served(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"digest run exited {proc.returncode}")
        if _fetch(url) is not None:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} not served within {timeout} s")


def _poll_for(
    url: str, marker: str, landed: float, proc: subprocess.Popen[bytes], timeout: float = 15
) -> float:
    """Seconds from `landed` until the served feed contains `marker`; inf if it never does."""
    while time.perf_counter() - landed < timeout:
        body = _fetch(url)
        if body is not None and marker in body:
            return time.perf_counter() - landed
        if proc.poll() is not None:
            raise RuntimeError(f"digest run exited {proc.returncode}")
        time.sleep(0.02)
    return float("inf")


def _cpu_ticks(pid: int) -> int:
    # Fields after the parenthesised name: utime, stime, cutime, cstime are 14..17 of stat.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15])


def bench_render(config: Path, report: Report) -> None:
    """Render one digest of 1,000 stored documents with the mail renderer, in-process."""
    from digest.config import load_config
    from digest.mail.periods import Period
    from digest.mail.render import Renderer
    from digest.store import Store

    cfg = load_config(config)
    store = Store(cfg.paths.state / "state.sqlite3")
    try:
        docs = store.documents()[:1000]
    finally:
        store.close()
    end = datetime.now(UTC)
    period = Period(end - timedelta(days=1), end)
    started = time.perf_counter()
    renderer = Renderer(cfg.digest, cfg.feed)
    first = renderer.render(docs, period, "reader@example.org")
    cold = time.perf_counter() - started
    started = time.perf_counter()
    renderer.render(docs, period, "reader@example.org")
    warm = time.perf_counter() - started
    report.add(
        f"render digest of {len(docs)} entries",
        f"{cold:.2f} s first, {warm:.2f} s again ({len(first.html) // 1024} KiB HTML)",
        "<= 1 s", cold <= 1.0 and len(docs) == 1000,
    )  # fmt: skip


# --- Pelican -------------------------------------------------------------------------

PELICANCONF = """\
AUTHOR = "bench"
SITENAME = "Bench"
SITEURL = "http://127.0.0.1:8080"
FEED_DOMAIN = SITEURL
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PATH = "content"
OUTPUT_PATH = "output"
# Feeds only, as digest writes: the main feeds and one per category, author and tag.
FEED_MAX_ITEMS = 50
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"
CATEGORY_FEED_RSS = "feeds/category/{slug}.rss.xml"
AUTHOR_FEED_ATOM = "feeds/author/{slug}.atom.xml"
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
TRANSLATION_FEED_ATOM = None
# No HTML at all.
ARTICLE_SAVE_AS = ARTICLE_LANG_SAVE_AS = DRAFT_SAVE_AS = DRAFT_LANG_SAVE_AS = ""
PAGE_SAVE_AS = PAGE_LANG_SAVE_AS = DRAFT_PAGE_SAVE_AS = DRAFT_PAGE_LANG_SAVE_AS = ""
INDEX_SAVE_AS = TAGS_SAVE_AS = TAG_SAVE_AS = CATEGORIES_SAVE_AS = CATEGORY_SAVE_AS = ""
AUTHORS_SAVE_AS = AUTHOR_SAVE_AS = ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = []
PAGINATED_TEMPLATES = {}
THEME_STATIC_PATHS = []
STATIC_PATHS = []
# The content cache, for the rebuild figures.
LOAD_CONTENT_CACHE = True
CACHE_CONTENT = True
CACHE_PATH = "cache"
"""


# The no-change floor: what any rebuild pays to start Python and notice that no file changed.
STAT_FLOOR = """\
import os, sys
for root, _, files in os.walk(sys.argv[1]):
    for name in files:
        os.stat(os.path.join(root, name))
"""

# The cold-build floor: read every article, escape it, write one page each and one feed,
# every file atomically (a temporary file renamed into place), as a generator must.
FLOOR_SCRIPT = """\
import html, os, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)

def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)

items = []
for root, _, files in os.walk(src):
    for name in sorted(files):
        with open(os.path.join(root, name), encoding="utf-8") as f:
            text = f.read()
        title = html.escape(text.split("\\n", 1)[0])
        page = name.rsplit(".", 1)[0] + ".html"
        body = html.escape(text)
        write(os.path.join(out, page), f"<!DOCTYPE html><title>{title}</title><pre>{body}</pre>")
        items.append(f"<item><title>{title}</title><link>{page}</link>"
                     f"<description>{body}</description></item>")
write(os.path.join(out, "rss.xml"), '<?xml version="1.0"?><rss version="2.0"><channel>'
      "<title>Floor</title>" + "".join(items) + "</channel></rss>")
"""

HUGO_CONFIG = """\
baseURL = "http://127.0.0.1:8080/"
title = "Bench"
disableKinds = ["taxonomy", "term", "section", "sitemap", "robotsTXT", "404"]
[outputs]
home = ["RSS"]
page = ["HTML"]
"""
HUGO_SINGLE = (
    "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head>"
    "<body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n"
)


def hugo_file(s: Story) -> tuple[str, str]:
    """The same story as Hugo markdown (YAML front matter)."""
    head = f'---\ntitle: "{s.title}"\ndate: {s.date.isoformat()}\nslug: story-{s.index:06d}\n---\n'
    return f"{s.index:06d}.md", head + "\n" + "\n\n".join(s.paragraphs) + "\n"


def pelican_venv(work: Path) -> Path:
    """A throwaway venv with Pelican under the work folder; reused when already there."""
    venv = work / "pelican-venv"
    exe = venv / "bin" / "pelican"
    if exe.exists():
        return exe
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    for spec in PELICAN_SPECS:
        if subprocess.run([*pip, spec]).returncode == 0:
            return exe
    raise RuntimeError(f"could not install any of {PELICAN_SPECS}")


def bench_pelican(work: Path, report: Report) -> None:
    """Pelican and digest on the same 10k Pelican-markdown corpus; digest's ratio to it."""
    n = PELICAN_SIZE
    exe = pelican_venv(work)
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout
    site = work / "pelican"
    content = site / "content"
    print(f"[pelican] writing {n} articles in {content}", file=sys.stderr, flush=True)
    write_corpus(content, n, pelican_file)
    (site / "pelicanconf.py").write_text(PELICANCONF, encoding="utf-8")
    cmd = [str(exe), "-q", "-s", "pelicanconf.py"]
    k, v = _n(n), version.strip()

    cold = timed(cmd, cwd=site)
    report.add(f"Pelican {v} cold build {k} (feeds only)",
               f"{cold.seconds:.2f} s ({cold.cpu_seconds:.2f} s CPU), "
               f"peak RSS {cold.max_rss_mb:.0f} MB")  # fmt: skip
    again = timed(cmd, cwd=site)
    report.add(f"Pelican no-change rebuild {k} (content cache)", f"{again.seconds:.2f} s")
    edited = content / pelican_file(story(n // 2))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA late paragraph.\n", "utf-8")
    one = timed(cmd, cwd=site)
    report.add(f"Pelican rebuild {k} after 1 edited",
               f"{one.seconds:.2f} s ({one.cpu_seconds:.2f} s CPU)")  # fmt: skip

    # digest over the very same files, so the ratio compares like with like.
    (site / "digest").mkdir(exist_ok=True)
    config = write_config(site / "digest", free_port())
    config.write_text(config.read_text().replace('"seeds"', '"../content"'), encoding="utf-8")
    d_cold = timed(digest_cmd(config, "build"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAnother late paragraph.\n", "utf-8")
    d_one = timed(digest_cmd(config, "build"))
    report.add(f"digest cold build of the Pelican corpus {k}",
               f"{d_cold.seconds:.2f} s ({d_cold.cpu_seconds:.2f} s CPU), "
               f"peak RSS {d_cold.max_rss_mb:.0f} MB")  # fmt: skip
    report.add(f"digest rebuild of the Pelican corpus {k} after 1 edited",
               f"{d_one.seconds:.3f} s ({d_one.cpu_seconds:.2f} s CPU)")  # fmt: skip
    report.add(
        "digest / Pelican, cold build",
        f"{d_cold.seconds / cold.seconds:.2f}x ({d_cold.seconds:.2f} / {cold.seconds:.2f} s)",
    )
    report.add(
        "digest / Pelican, 1 file changed",
        f"{d_one.seconds / one.seconds:.2f}x ({d_one.seconds:.3f} / {one.seconds:.2f} s)",
    )


def bench_peers(work: Path, report: Report, rounds: int, pelican: bool) -> None:
    """Cold builds of the same articles by digest, Pelican, Hugo and the floor script,
    alternating within each round so that the machine's load falls on all alike."""
    n = PELICAN_SIZE
    k = _n(n)
    site = work / "peers"
    if site.exists():
        shutil.rmtree(site)
    print(f"[peers] writing {n} articles", file=sys.stderr, flush=True)
    write_corpus(site / "content", n, pelican_file)
    (site / "digest").mkdir()
    config = write_config(site / "digest", free_port())
    config.write_text(config.read_text().replace('"seeds"', '"../content"'), encoding="utf-8")
    # digest runs from here, not from `site`: its folder named digest would shadow the package.
    here = Path.cwd()
    tools: dict[str, tuple[list[str], Path, list[Path]]] = {
        "digest": (
            digest_cmd(config, "build"),
            here,
            [site / "digest/state", site / "digest/feeds"],
        )
    }
    if pelican:
        (site / "pelicanconf.py").write_text(PELICANCONF, encoding="utf-8")
        cmd = [str(pelican_venv(work)), "-q", "-s", "pelicanconf.py"]
        tools["Pelican"] = (cmd, site, [site / "output", site / "cache"])
    hugo = shutil.which("hugo")
    if hugo is None:
        report.add("Hugo", "skipped: no `hugo` on PATH (apt-get install hugo)")
    else:
        hsite = site / "hugo"
        write_corpus(hsite / "content", n, hugo_file)
        (hsite / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
        (hsite / "layouts/_default").mkdir(parents=True)
        (hsite / "layouts/_default/single.html").write_text(HUGO_SINGLE, encoding="utf-8")
        version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout
        report.add("Hugo version", version.split()[1] if version else "?")
        tools["Hugo"] = ([hugo, "--quiet"], hsite, [hsite / "public", hsite / "resources"])
    (site / "floor.py").write_text(FLOOR_SCRIPT, encoding="utf-8")
    floor_cmd = [sys.executable, "floor.py", "content", "floor-out"]
    tools["floor"] = (floor_cmd, site, [site / "floor-out"])

    runs: dict[str, list[Run]] = {name: [] for name in tools}
    for r in range(rounds):
        for name, (cmd, cwd, outputs) in tools.items():
            for out in outputs:
                shutil.rmtree(out, ignore_errors=True)
            print(f"[peers] round {r + 1}: {name}", file=sys.stderr, flush=True)
            runs[name].append(timed(cmd, cwd=cwd))
            if name == "Hugo" and not any((site / "hugo/public").glob("*/index.html")):
                raise RuntimeError("Hugo wrote no pages")
    for name, got in runs.items():
        walls = ", ".join(f"{x.seconds:.2f}" for x in got)
        cpus = ", ".join(f"{x.cpu_seconds:.2f}" for x in got)
        report.add(f"{name} cold build {k}, {rounds} round(s)", f"{walls} s wall; {cpus} s CPU")
    best = {name: min(x.seconds for x in got) for name, got in runs.items()}
    cpu = {name: min(x.cpu_seconds for x in got) for name, got in runs.items()}
    for name, target in (("Pelican", 1 / 5), ("Hugo", 1.0), ("floor", None)):
        if name in best:
            ratio = best["digest"] / best[name]
            report.add(
                f"digest / {name}, cold build {k} (best wall; CPU)",
                f"{ratio:.2f}x ({best['digest']:.2f} / {best[name]:.2f} s); "
                f"{cpu['digest'] / cpu[name]:.2f}x CPU",
                f"<= {target:g}x" if target else "—",
                ratio <= target if target else None,
            )


# --- Main ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated corpus sizes (default 1000,10000)")  # fmt: skip
    parser.add_argument("--skip-pelican", action="store_true", help="skip the Pelican comparison")
    parser.add_argument("--out", type=Path, help="work folder (default: a temporary one, removed)")
    parser.add_argument("--drops", type=int, default=50, help="files dropped on the daemon")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU measured")
    parser.add_argument("--skip-daemon", action="store_true", help="skip the daemon and render")
    parser.add_argument("--skip-pelican-rebuilds", action="store_true",
                        help="skip Pelican's no-change and one-file figures")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of the peers")
    parser.add_argument("--rebuild-rounds", type=int, default=3,
                        help="rounds of no-change and one-file rebuilds (default 3)")  # fmt: skip
    parser.add_argument(
        "--rebuilds-only",
        action="store_true",
        help="the cold build and rebuilds only: no daemon, render or peers",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="time the rebuilds of this checkout's digest too, alternating",
    )
    args = parser.parse_args(argv)
    adopt_orphans()
    # Timed as an installed package runs: with its bytecode cached, which this
    # environment may have turned off (every run would compile every module).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    baseline = args.baseline.resolve() if args.baseline else None
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})

    work = args.out.resolve() if args.out else Path(tempfile.mkdtemp(prefix="digest-perf-"))
    report = Report()
    report.add("CPU cores", str(os.cpu_count()))
    # Other work on the machine inflates wall times; the CPU seconds beside them do not.
    report.add("load average at start (1 min)", f"{os.getloadavg()[0]:.2f}")
    try:
        for n in sizes:
            folder = work / f"corpus-{n}"
            if folder.exists():
                shutil.rmtree(folder)  # a cold build means empty state and fresh files
            config = bench_builds(folder, n, report, args.rebuild_rounds, baseline)
            daemon_size = n == DAEMON_SIZE or (n == sizes[-1] and DAEMON_SIZE not in sizes)
            if daemon_size and not args.skip_daemon and not args.rebuilds_only:
                bench_render(config, report)
                bench_daemon(folder, config, n, args.drops, args.idle, report)
        if not args.rebuilds_only:
            if not args.skip_pelican and not args.skip_pelican_rebuilds:
                if (work / "pelican").exists():
                    shutil.rmtree(work / "pelican")
                bench_pelican(work, report)
            bench_peers(work, report, args.rounds, pelican=not args.skip_pelican)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        # Keep the figures measured so far: a later part failing should not lose them.
        report.add("benchmark stopped", str(exc).splitlines()[0], "runs to the end", False)
    finally:
        if not args.out:
            shutil.rmtree(work, ignore_errors=True)
    report.add("load average at end (1 min)", f"{os.getloadavg()[0]:.2f}")
    print(report.table())
    return 0 if all(r.ok is not False for r in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
