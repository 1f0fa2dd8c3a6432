"""One error type for bad input, which always says where the problem is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one file."""

    file: str
    message: str
    row: int | None = None  # data row number, 1 = first row after the header
    field: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row} (line {self.row + 1})")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return ", ".join(where) + f": {self.message}"


def print_problems(problems: list[Problem], heading: str) -> None:
    """A command's refusal on standard error: ``<heading>: N problem(s)``, then one line each."""
    import sys

    print(f"{heading}: {len(problems)} problem(s)", file=sys.stderr)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)


class DataError(ValueError):
    """Raised with every problem found, so that one run shows all that needs fixing."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:25])
        more = f"\n  ... and {len(self.problems) - 25} more" if len(self.problems) > 25 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the data:\n{shown}{more}")
