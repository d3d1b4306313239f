"""The table the benchmark prints, the ratios between scenarios, and whether the aims hold."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.measure import LOAD, RunResult

ROLES = ("gateway", "service", "broker", LOAD)
AIM_CONCURRENCY = 16
AIM_VS_NAMEKO = 1.5
AIM_VS_KOMBU = 0.3
AIM_P99_MS = 50.0

SCENARIO_NAMES = {
    "a": "(a) stack /users/me",
    "b": "(b) nameko defaults",
    "c": "(c) bare kombu RPC",
}


def scenario_name(key: str, patches: tuple[str, ...] = ()) -> str:
    """The row label; (a) run with experimental changes says which."""
    name = SCENARIO_NAMES[key]
    return f"{name} +{'+'.join(patches)}" if key == "a" and patches else name


@dataclass
class Aim:
    text: str
    value: float | None
    holds: bool | None


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


def table(results: dict[tuple[str, int], RunResult], patches: tuple[str, ...] = ()) -> str:
    header = ["scenario", "conc", "req/s", "p50 ms", "p99 ms", "errors"]
    header += [f"cpu {role}" for role in ROLES] + ["cpu other", "generator"]
    rows = [header]
    for (key, concurrency), result in results.items():
        rows.append(
            [
                scenario_name(key, patches),
                str(concurrency),
                _fmt(result.rps, 0),
                _fmt(result.p50_ms),
                _fmt(result.p99_ms),
                str(result.errors),
                *(_fmt(result.cpu_ms_per_request(role), 3) for role in ROLES),
                _fmt(result.other_cpu_ms_per_request(), 3),
                result.generator,
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            cell.ljust(width) if index in (0, len(row) - 1) else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("| " + " | ".join(cells) + " |")
        if number == 0:
            lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def ratios(results: dict[tuple[str, int], RunResult], levels: list[int]) -> str:
    lines = ["| conc | (a)/(b) req/s | (a)/(c) req/s |", "|---:|---:|---:|"]
    for concurrency in levels:
        lines.append(
            f"| {concurrency} | {_fmt(_ratio(results, 'b', concurrency))} "
            f"| {_fmt(_ratio(results, 'c', concurrency))} |"
        )
    return "\n".join(lines)


def _ratio(results, other: str, concurrency: int) -> float | None:
    mine, theirs = results.get(("a", concurrency)), results.get((other, concurrency))
    if mine is None or theirs is None or not theirs.rps:
        return None
    return mine.rps / theirs.rps


def aims(results: dict[tuple[str, int], RunResult]) -> list[Aim]:
    vs_nameko = _ratio(results, "b", AIM_CONCURRENCY)
    vs_kombu = _ratio(results, "c", AIM_CONCURRENCY)
    mine = results.get(("a", AIM_CONCURRENCY))
    p99 = mine.p99_ms if mine else None
    return [
        Aim(f"(a)/(b) >= {AIM_VS_NAMEKO:g}", vs_nameko, _holds(vs_nameko, AIM_VS_NAMEKO, True)),
        Aim(f"(a)/(c) >= {AIM_VS_KOMBU:g}", vs_kombu, _holds(vs_kombu, AIM_VS_KOMBU, True)),
        Aim(f"p99 of (a) < {AIM_P99_MS:g} ms", p99, _holds(p99, AIM_P99_MS, False)),
    ]


def _holds(value: float | None, limit: float, at_least: bool) -> bool | None:
    if value is None:
        return None
    return value >= limit if at_least else value < limit


def aims_text(found: list[Aim]) -> str:
    lines = [f"Aims at {AIM_CONCURRENCY} concurrent clients:"]
    for aim in found:
        verdict = {True: "holds", False: "DOES NOT HOLD", None: "not measured"}[aim.holds]
        lines.append(f"  {aim.text:<24} {_fmt(aim.value):>8}  {verdict}")
    return "\n".join(lines)


def markdown(lines: list[list[str]], left: tuple[int, ...]) -> str:
    """A Markdown table of ``lines`` (the first is the header), the columns of ``left``
    aligned left and the others right."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for number, line in enumerate(lines):
        cells = [
            cell.ljust(width) if index in left else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("| " + " | ".join(cells) + " |")
        if number == 0:
            out.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(out)
