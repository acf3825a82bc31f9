"""Summarise a py-spy raw profile (`py-spy record --format raw`) of one epicflow worker.

    uv run python bench/profile_summary.py PROFILE.txt [--top 25]

Prints where the worker's CPU samples go: inclusive share of each epicflow function (line
numbers folded), self time grouped by library, and the heaviest self-time functions.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]*?)(?::\d+)?\)$")
LIBRARIES = (
    "epicflow",
    "sqlalchemy",
    "asyncpg",
    "pydantic",
    "pydantic_core",
    "fastapi",
    "starlette",
    "uvicorn",
    "anyio",
    "jwt",
    "orjson",
    "prometheus_client",
    "logging",
    "asyncio",
    "uvloop",
)


def parse(frame: str) -> tuple[str, str]:
    """(module-ish file, function) of a py-spy frame like `execute (sqlalchemy/orm/x.py:12)`."""
    match = FRAME.match(frame)
    if match is None:
        return frame or "<native>", frame or "<native>"
    return match["file"], match["func"]


def library(file: str) -> str:
    head = file.split("/", 1)[0].removesuffix(".py")
    return head if head in LIBRARIES else ("stdlib/other" if file else "<native>")


def summarise(path: Path, top: int) -> None:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    by_library: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():  # frames may hold any bytes
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [parse(f) for f in stack.split(";")]
        seen: set[str] = set()
        for file, func in frames:
            if file.startswith("epicflow/"):
                name = f"{file.removeprefix('epicflow/')}:{func}"
                if name not in seen:
                    seen.add(name)
                    inclusive[name] += n
        file, func = frames[-1]
        own[f"{file}:{func}"] += n
        by_library[library(file)] += n
    if not total:
        print("no samples")
        return
    print(f"{path}: {total} samples")
    print("\ninclusive share of epicflow functions:")
    for name, n in inclusive.most_common(top):
        print(f"  {n / total:6.1%}  {name}")
    print("\nself time by library:")
    for name, n in by_library.most_common():
        print(f"  {n / total:6.1%}  {name}")
    print("\nheaviest self-time functions:")
    for name, n in own.most_common(top):
        print(f"  {n / total:6.1%}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Summarise a py-spy raw profile.")
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    summarise(args.profile, args.top)


if __name__ == "__main__":
    main()
