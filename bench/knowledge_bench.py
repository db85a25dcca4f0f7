"""The knowledge benchmark: sync time, memory and answer latency for synthetic portfolios.

    python -m bench.knowledge_bench [--sizes 20,1000,10000,100000] [--questions 2000]

For each size N: a fresh SQLite file in a temporary folder gets a synthetic portfolio of N
projects (`bench.synthetic`), then a separate process measures, so its peak RSS is that
size's alone:

- a full sync (`Syncer.sync` on a new `Syncer`), a second sync that finds nothing changed,
  and a sync after one new `status_report` row (which must reuse the fuzzy indexes);
- peak RSS of the measuring process (`ru_maxrss`), and RSS after the first sync;
- answer latency (`Answerer.answer`) p50/p99/max over a bounded, seeded mix of realistic
  questions: owner/manager/status/transfer questions naming a project by full name, short
  name, code, with a typo or without Norwegian letters; person questions; list and count
  questions; unknown names; FAQ and small talk; and issue 14's kinds: combined filters
  (person × health × programme, dates, missing reports), single facts, topics, English and
  nynorsk words, overviews and first names.

Prints a markdown table and writes the figures as JSON to `bench/results/`. Every loop is
bounded in count and in time; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SIZES = (20, 1000, 10_000, 100_000)
TARGETS = {   # size → answer p99 in ms
    10_000: 5.0,
    100_000: 20.0,
}
TARGET_FULL_SYNC_SECONDS = 20.0     # at 100,000 projects
TARGET_PEAK_RSS_MB = 600.0          # at 100,000 projects
TARGET_SEARCH_P99_MS = 50.0         # the compose box's search, at 10,000 projects
SEARCHES = 500
EVALUATION_DAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PREPARE_TIMEOUT_SECONDS = 1800
MEASURE_TIMEOUT_SECONDS = 1800

# ------------------------------------------------------------------ the question mix
PROJECT_TEMPLATES: dict[str, tuple[str, ...]] = {
    "owner": ("Hvem eier {p}?", "Hvem er prosjekteier for {p}?", "who owns {p}?"),
    "manager": ("Hvem er prosjektleder for {p}?", "Hvem leder {p}?",
                "who is the project manager of {p}?"),
    "status": ("Hva er status på {p}?", "status {p}", "how is {p} going?"),
    "transfer": ("Er {p} overført til Sykehuspartner?", "Når ble {p} overført?",
                 "was {p} transferred?"),
}
NAME_VARIANTS = (("full", 35), ("short", 15), ("typo", 20), ("ascii", 15), ("code", 15))
PERSON_TEMPLATES = (
    "Hvilke prosjekter har {n}?", "Hva jobber {n} med?", "hvilke prosjekter leder {n}?",
    "what does {n} work on?", "Hvilke prosjekter eier {n}?",
)
LIST_QUESTIONS = (
    "hvilke prosjekter er røde?", "hvilke prosjekter er gule?", "vis grønne prosjekter",
    "hvor mange prosjekter er røde?", "hvor mange prosjekter er overført?",
    "hvilke prosjekter er overført?", "hvilke prosjekter er ikke overført?",
    "hvilke prosjekter er i gjennomføring?", "hvor mange prosjekter er pauset?",
    "which projects are red?", "how many projects were transferred?",
    "STIM-prosjekter som fortsatt pågår", "hvilke prosjekter i Vestre Viken er røde?",
    "list projects that are not transferred", "hvilke prosjekter er avsluttet?",
    "hvilke overføringer er planlagt?", "hvor mange prosjekter har Sykehuspartner?",
    "hvilke prosjekter i Sykehuspartner er røde?", "how many projects are paused?",
    "vis røde prosjekter i planlegging",
)
UNKNOWN_STEMS = ("Kvante", "Nordlys", "Blåbær", "Fyrtårn", "Ekorn", "Månestråle", "Trollvegg",
                 "Solsikke", "Havørn", "Isbre", "Polarnatt", "Skumring")
UNKNOWN_ENDINGS = ("systemet", "prosjektet", "løsningen", "plattformen", "modulen", "portalen")
UNKNOWN_TEMPLATES = ("Hvem eier {x}?", "status på {x}", "Hvem leder {x}?", "who owns {x}?",
                     "Er {x} overført?")
OTHER_QUESTIONS = (
    "Hva er STIM?", "hei", "takk!", "hjelp", "Hvordan rapporterer jeg status på prosjektet mitt?",
    "Hva betyr grønn, gul og rød status?", "Hvorfor ble porteføljen overført til Sykehuspartner?",
    "Hvordan får jeg tilgang til porteføljeverktøyet?",
)
# The kinds issue 14 added: combined filters, single facts, topics, English and nynorsk
# words, overviews and first names ({p} a project, {n} a person, {g} a programme, {y} a year,
# {t} a word from a project's description, {f} a first name).
COMBINED_TEMPLATES = (
    "Hvilke røde prosjekter eier {n}?", "Gule prosjekter i {g}", "Hvor mange prosjekter leder {n}?",
    "Hvilke prosjekter skal være ferdige i {y}?", "Which projects were transferred in January 2024?",
    "prosjekter som startet før {y}", "Hvilke prosjekter mangler statusrapport?",
    "Hvilke prosjekter har ikke rapportert etter 1. oktober?",
    "prosjekter med rapport eldre enn 30 dager", "Hvilke prosjekter i {g} er røde eller gule?",
    "which green projects in {g} are in execution?",
)
FACT_TEMPLATES = (
    "Hva går {p} ut på?", "Hvilket program hører {p} til?", "Når startet {p}?",
    "Når er {p} planlagt ferdig?", "Hva var forrige status for {p}?", "Hvem er {n}?",
    "Er {g} avsluttet?", "When does {p} finish?",
)
TOPIC_TEMPLATES = ("Hvem leder prosjektet om {t}?", "prosjektet med {t}",
                   "Which project deals with {t}?", "Hva er status på prosjektet om {t}?")
LANGUAGE_QUESTIONS = (
    "Who is responsible for the pathology project?", "which project is about home monitoring?",
    "who leads the wireless network?", "the quality registries project", "Kven eig {p}?",
    "Kva er status for {p}?", "Kven er prosjektleiar for {p}?", "Kor mange prosjekt er raude?",
    "Korleis går det med {p}?",
)
OVERVIEW_QUESTIONS = ("Gi meg en oversikt over porteføljen", "Hvordan står det til i porteføljen?",
                      "summary of {g}", "oversikt over {g}")
FIRST_NAME_TEMPLATES = ("Which projects does {f} own?", "Hvilke prosjekter leder {f}?")
CATEGORIES = (("project", 42), ("person", 8), ("list", 10), ("unknown", 6), ("other", 4),
              ("combined", 8), ("fact", 6), ("topic", 5), ("language", 5), ("overview", 3),
              ("first_name", 3))
ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _typo(rng: random.Random, text: str) -> str:
    """`text` with one slip of the finger in one of its longer words."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    word = words[i]
    at = rng.randrange(1, len(word) - 1)
    edit = rng.randrange(4)
    if edit == 0:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2:]        # swap
    elif edit == 1:
        word = word[:at] + word[at + 1:]                                  # drop
    elif edit == 2:
        word = word[:at] + rng.choice("aeiknrst") + word[at + 1:]         # replace
    else:
        word = word[:at] + word[at] + word[at:]                           # double
    words[i] = word
    return " ".join(words)


def build_questions(snapshot: Any, count: int, seed: int) -> list[tuple[str, str]]:
    """`count` (category, question) pairs over the snapshot's projects and persons."""
    rng = random.Random(seed)
    projects = sorted(snapshot.projects.values(), key=lambda p: p.id)
    persons = sorted(snapshot.persons.values(), key=lambda p: p.id)
    programmes = sorted(snapshot.programmes.values(), key=lambda p: p.id)
    out: list[tuple[str, str]] = []
    for _ in range(count):
        category = _weighted(rng, CATEGORIES)
        if category == "project":
            intent = rng.choice(tuple(PROJECT_TEMPLATES))
            template = rng.choice(PROJECT_TEMPLATES[intent])
            project = rng.choice(projects)
            variant = _weighted(rng, NAME_VARIANTS)
            if variant == "short":
                name = project.short_name or (project.aliases[0] if project.aliases
                                              else project.name)
            elif variant == "typo":
                name = _typo(rng, project.name)
            elif variant == "ascii":
                name = project.name.translate(ASCII).lower()
            elif variant == "code":
                name = project.code
            else:
                name = project.name
            out.append((f"project:{intent}:{variant}", template.format(p=name)))
        elif category == "person":
            person = rng.choice(persons)
            name = person.full_name
            if rng.random() < 0.3:
                name = name.translate(ASCII).lower()
            out.append(("person", rng.choice(PERSON_TEMPLATES).format(n=name)))
        elif category == "list":
            out.append(("list", rng.choice(LIST_QUESTIONS)))
        elif category == "unknown":
            stem = rng.choice(UNKNOWN_STEMS)
            ending = rng.choice(UNKNOWN_ENDINGS)
            name = f"{stem}{ending}" if rng.random() < 0.5 else f"{stem} {ending}"
            out.append(("unknown", rng.choice(UNKNOWN_TEMPLATES).format(x=name)))
        elif category == "other":
            out.append(("other", rng.choice(OTHER_QUESTIONS)))
        else:
            out.append((category, _new_kind(rng, category, projects, persons, programmes)))
    return out


NEW_KIND_TEMPLATES = {"combined": COMBINED_TEMPLATES, "fact": FACT_TEMPLATES,
                      "topic": TOPIC_TEMPLATES, "language": LANGUAGE_QUESTIONS,
                      "overview": OVERVIEW_QUESTIONS, "first_name": FIRST_NAME_TEMPLATES}


def _new_kind(rng: random.Random, category: str, projects: list[Any], persons: list[Any],
              programmes: list[Any]) -> str:
    """A question of one of issue 14's kinds, its slots filled from the snapshot."""
    project = rng.choice(projects)
    words = [w for w in (project.description or project.name).split() if len(w) > 6
             and w.isalpha()]
    programme = rng.choice(programmes) if programmes else None
    return rng.choice(NEW_KIND_TEMPLATES[category]).format(
        p=project.short_name or project.name, n=rng.choice(persons).full_name,
        g=(programme.short_name or programme.name) if programme else "STIM",
        y=rng.randrange(2020, 2029), t=rng.choice(words) if words else project.name,
        f=rng.choice(persons).full_name.split()[0])


# ------------------------------------------------------------------ measuring one size
def _rss_mb() -> float:
    """Current resident set size in MB (Linux /proc), 0 when unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KB on Linux


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _latency(values: list[float]) -> dict[str, float]:
    return {
        "count": len(values),
        "p50_ms": round(_percentile(values, 0.50), 3),
        "p99_ms": round(_percentile(values, 0.99), 3),
        "max_ms": round(max(values, default=0.0), 3),
        "mean_ms": round(statistics.fmean(values), 3) if values else 0.0,
    }


def _profile_text(profile: cProfile.Profile, lines: int = 25) -> str:
    stream = io.StringIO()
    pstats.Stats(profile, stream=stream).sort_stats("cumulative").print_stats(lines)
    return stream.getvalue()


async def _measure(url: str, size: int, questions: int, seed: int, budget: float,
                   profile: bool) -> dict[str, Any]:
    from sqlalchemy import text

    from knowledge.answers.answering import Answerer
    from knowledge.portfolio.sync import Syncer

    figures: dict[str, Any] = {"size": size}
    profiler = cProfile.Profile() if profile else None
    syncer = Syncer(url)
    try:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        first = await syncer.sync()
        if profiler:
            profiler.disable()
        figures["sync_full_s"] = round(time.perf_counter() - started, 3)
        figures["sync_full_timings"] = {k: round(v, 3) for k, v in first.timings.items()}
        figures["rss_after_sync_mb"] = round(_rss_mb(), 1)
        figures["peak_rss_after_sync_mb"] = round(_peak_rss_mb(), 1)
        figures["counts"] = first.counts
        figures["skipped_rows"] = len(first.skipped)

        started = time.perf_counter()
        second = await syncer.sync()
        figures["sync_unchanged_s"] = round(time.perf_counter() - started, 3)
        figures["sync_unchanged_changed"] = second.changed

        snapshot = first.snapshot
        rng = random.Random(seed + 1)
        project_id = rng.choice(sorted(snapshot.projects))
        async with syncer.engine.begin() as connection:
            next_id = (await connection.execute(
                text("SELECT COALESCE(MAX(id), 0) + 1 FROM status_report"))).scalar_one()
            await connection.execute(
                text("INSERT INTO status_report (id, project_id, reported_at, author_id, health,"
                     " summary, source) VALUES (:id, :project, :at, NULL, 'red', :summary,"
                     " 'chat')"),
                {"id": next_id, "project": project_id, "at": "2026-11-26T11:00:00Z",
                 "summary": "Benchmark: ny statusrapport fra chat."},
            )
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        third = await syncer.sync()
        figures["sync_one_report_s"] = round(time.perf_counter() - started, 3)
        if profiler:
            profiler.disable()
        figures["sync_one_report_timings"] = {k: round(v, 3) for k, v in third.timings.items()}
        figures["sync_one_report_reused_indexes"] = third.reused_indexes
        figures["sync_one_report_events"] = sorted(e.kind.value for e in third.events)
        figures["peak_rss_after_syncs_mb"] = round(_peak_rss_mb(), 1)
        if profiler:
            figures["sync_profile"] = _profile_text(profiler)

        del first, second, third, snapshot
        gc.collect()
        asked = build_questions(syncer.snapshot, questions, seed)
        answerer = Answerer(lambda: syncer.snapshot, clock=lambda: EVALUATION_DAY)
        answer_profiler = cProfile.Profile() if profile else None
        timings: dict[str, list[float]] = defaultdict(list)
        kinds: dict[str, Counter[str]] = defaultdict(Counter)
        slowest: list[tuple[float, str, str]] = []
        deadline = time.perf_counter() + budget
        for category, question in asked:
            if time.perf_counter() > deadline:
                break
            if answer_profiler:
                answer_profiler.enable()
            tick = time.perf_counter_ns()
            answer = answerer.answer(question)
            elapsed = (time.perf_counter_ns() - tick) / 1e6
            if answer_profiler:
                answer_profiler.disable()
            timings[category].append(elapsed)
            kinds[category.split(":")[0]][type(answer).__name__] += 1
            slowest.append((elapsed, category, question))
        everything = [t for values in timings.values() for t in values]
        figures["answers"] = _latency(everything)
        figures["search"] = _search_latency(answerer, syncer.snapshot, seed,
                                            min(questions, SEARCHES), deadline + budget)
        figures["answers_complete"] = len(everything) == len(asked)
        figures["answers_by_category"] = {
            group: _latency([t for c, v in timings.items() if c.split(":")[0] == group
                             for t in v])
            for group in sorted({c.split(":")[0] for c in timings})
        }
        figures["answers_by_variant"] = {
            variant: _latency([t for c, v in timings.items()
                               if c.startswith("project:") and c.endswith(":" + variant)
                               for t in v])
            for variant, _ in NAME_VARIANTS
        }
        figures["answer_types"] = {group: dict(counter) for group, counter in kinds.items()}
        figures["slowest_questions"] = [
            {"ms": round(ms, 3), "category": category, "question": question}
            for ms, category, question in sorted(slowest, reverse=True)[:10]
        ]
        if answer_profiler:
            figures["answer_profile"] = _profile_text(answer_profiler, 40)
        figures["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    finally:
        await syncer.close()
    return figures


def _worker(args: argparse.Namespace) -> int:
    url = f"sqlite:///{args.db}"
    if args.worker == "prepare":
        from bench.synthetic import generate, load

        started = time.perf_counter()
        data = generate(args.size, args.seed)
        generated = time.perf_counter() - started
        counts = load(url, data)
        figures: dict[str, Any] = {
            "generate_s": round(generated, 3),
            "load_s": round(time.perf_counter() - started - generated, 3),
            "rows": counts,
        }
    else:
        figures = asyncio.run(_measure(url, args.size, args.questions, args.seed,
                                       args.budget, args.profile))
    Path(args.json).write_text(json.dumps(figures, indent=1), "utf-8")
    return 0


def _run_worker(kind: str, size: int, db: Path, output: Path, args: argparse.Namespace,
                timeout: float) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.knowledge_bench", "--worker", kind,
               "--size", str(size), "--db", str(db), "--json", str(output),
               "--questions", str(args.questions), "--seed", str(args.seed),
               "--budget", str(args.budget)]
    if args.profile:
        command.append("--profile")
    root = Path(__file__).resolve().parent.parent
    subprocess.run(command, check=True, timeout=timeout, cwd=root)
    figures: dict[str, Any] = json.loads(output.read_text("utf-8"))
    return figures


# ------------------------------------------------------------------ the report
def _search_latency(answerer: Any, snapshot: Any, seed: int, count: int,
                    deadline: float) -> dict[str, float]:
    """The compose box's project search (issue 16): what people type as they look for a
    project (a name's first letters, a whole name, a code, a typo, a person, a topic) and
    the opening list (nothing typed), timed like the answers."""
    from knowledge.answers.answers import Language
    rng = random.Random(seed + 16)
    projects = sorted(snapshot.projects.values(), key=lambda p: p.id)
    persons = sorted(snapshot.persons.values(), key=lambda p: p.id)
    callers = [p.aad_object_id for p in persons if p.aad_object_id]
    timings: list[float] = []
    for _ in range(count):
        if time.perf_counter() > deadline:
            break
        project = rng.choice(projects)
        kind = rng.randrange(6)
        text = ("" if kind == 0 else project.name[: rng.randrange(3, 12)] if kind == 1
                else project.code if kind == 2 else _typo(rng, project.name) if kind == 3
                else rng.choice(persons).full_name if kind == 4
                else rng.choice((project.description or project.name).split()))
        tick = time.perf_counter_ns()
        answerer.search(text, rng.choice(callers) if callers else None, Language.NB)
        timings.append((time.perf_counter_ns() - tick) / 1e6)
    return _latency(timings)


def _verdicts(results: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for figures in results:
        size = figures["size"]
        if size == 10_000 and "search" in figures:
            p99 = figures["search"]["p99_ms"]
            lines.append(f"- search p99 at 10,000 projects: {p99:.2f} ms (target ≤ "
                         f"{TARGET_SEARCH_P99_MS:g} ms) "
                         f"{'met' if p99 <= TARGET_SEARCH_P99_MS else 'MISSED'}")
        if size in TARGETS:
            p99 = figures["answers"]["p99_ms"]
            ok = p99 <= TARGETS[size]
            lines.append(f"- answer p99 at {size:,} projects: {p99:.2f} ms "
                         f"(target ≤ {TARGETS[size]:g} ms) {'met' if ok else 'MISSED'}")
        if size == 100_000:
            full, peak = figures["sync_full_s"], figures["peak_rss_mb"]
            lines.append(f"- full sync at 100,000: {full:.1f} s (target ≤ "
                         f"{TARGET_FULL_SYNC_SECONDS:g} s) "
                         f"{'met' if full <= TARGET_FULL_SYNC_SECONDS else 'MISSED'}")
            lines.append(f"- peak RSS at 100,000: {peak:.0f} MB (target ≤ "
                         f"{TARGET_PEAK_RSS_MB:g} MB) "
                         f"{'met' if peak <= TARGET_PEAK_RSS_MB else 'MISSED'}")
        ratio = figures["sync_unchanged_s"] / max(figures["sync_full_s"], 1e-9)
        lines.append(f"- no-change sync at {size:,}: {ratio:.0%} of a full sync")
    return lines


def table(results: list[dict[str, Any]]) -> str:
    head = ("| projects | load s | sync full s | no-change s | one report s | reused | "
            "peak RSS MB | answer p50 ms | p99 ms | max ms | answered |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for f in results:
        a = f["answers"]
        lines.append(
            f"| {f['size']:,} | {f.get('load_s', 0):.1f} | {f['sync_full_s']:.2f} | "
            f"{f['sync_unchanged_s']:.2f} | {f['sync_one_report_s']:.2f} | "
            f"{'yes' if f['sync_one_report_reused_indexes'] else 'no'} | "
            f"{f['peak_rss_mb']:.0f} | {a['p50_ms']:.2f} | {a['p99_ms']:.2f} | "
            f"{a['max_ms']:.1f} | {a['count']} |"
        )
    return "\n".join(lines)


def category_table(results: list[dict[str, Any]]) -> str:
    groups = sorted({g for f in results for g in f["answers_by_category"]})
    lines = ["| projects | " + " | ".join(f"{g} p50/p99 ms" for g in groups) + " |",
             "|---|" + "---|" * len(groups)]
    for f in results:
        cells = []
        for g in groups:
            stats = f["answers_by_category"].get(g)
            cells.append(f"{stats['p50_ms']:.2f} / {stats['p99_ms']:.2f}" if stats else "–")
        lines.append(f"| {f['size']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.knowledge_bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="comma-separated project counts (default: %(default)s)")
    parser.add_argument("--questions", type=int, default=2000,
                        help="questions per size (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=180.0,
                        help="seconds of answering per size at most (default: %(default)s)")
    parser.add_argument("--profile", action="store_true",
                        help="add cProfile summaries of syncing (its reading thread) and "
                        "answering to the JSON "
                        "(the profiler slows everything down: figures are then not comparable)")
    parser.add_argument("--worker", choices=("prepare", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if not sizes or min(sizes) < 1 or args.questions < 1:
        parser.error("sizes and --questions must be positive")
    results: list[dict[str, Any]] = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="knowledge-bench-") as folder:
            db, out = Path(folder) / "portfolio.db", Path(folder) / "figures.json"
            print(f"{size:,} projects: generating and loading …", file=sys.stderr, flush=True)
            prepared = _run_worker("prepare", size, db, out, args, PREPARE_TIMEOUT_SECONDS)
            print(f"{size:,} projects: measuring …", file=sys.stderr, flush=True)
            measured = _run_worker("measure", size, db, out, args, MEASURE_TIMEOUT_SECONDS)
        results.append({**measured, "load_s": prepared["load_s"],
                        "generate_s": prepared["generate_s"], "rows": prepared["rows"]})
    report = "\n".join([table(results), "", category_table(results), "", *_verdicts(results)])
    print(report)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"knowledge-{stamp}.json"
    path.write_text(json.dumps({
        "when": stamp, "python": platform.python_version(), "machine": platform.machine(),
        "cpus": os.cpu_count(), "seed": args.seed, "questions": args.questions,
        "results": results,
    }, indent=1), "utf-8")
    print(f"\nfigures written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
