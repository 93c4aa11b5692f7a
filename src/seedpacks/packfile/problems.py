"""Problems of a pack file, collected all at once, each at a path of the document."""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from seedpacks.errors import Problem

if TYPE_CHECKING:
    from seedpacks.packfile.source import Lines

Path = tuple[Hashable, ...]


def path_text(path: Sequence[Hashable]) -> str:
    """Return `("tables", 1, "columns", 3)` as `tables[1].columns[3]`."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass
class Problems:
    """The problems found so far; each keeps its path, and its line once the lines are known."""

    found: list[tuple[int | None, Path, str]] = field(default_factory=list)

    def add(self, path: Path, message: str) -> None:
        self.found.append((None, tuple(path), message))

    def at(self, line: int, path: Path, message: str) -> None:
        """Add a problem whose line is known better than its path's (a key given twice)."""
        self.found.append((line, tuple(path), message))

    def __bool__(self) -> bool:
        return bool(self.found)

    def paths(self) -> set[Path]:
        return {path for _, path, _ in self.found}

    def listed(self, lines: "Lines | None") -> list[Problem]:
        """Return the problems in file order, each with its line, without repeats."""
        seen: dict[tuple[int | None, str, str], Problem] = {}
        for line, path, message in self.found:
            at = line if line is not None else (lines.line(path) if lines else None)
            problem = Problem(line=at, path=path_text(path), message=message)
            seen.setdefault((at, problem.path, message), problem)
        return sorted(seen.values(), key=lambda p: (p.line or 0, p.path))
