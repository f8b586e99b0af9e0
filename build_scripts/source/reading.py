"""Reading source files so that every problem can name its file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in the handbook source, with where it is."""

    file: str
    message: str
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.key:
            where += f" ({self.key})"
        return f"{where}: {self.message}"


class SourceError(Exception):
    """The source cannot be built; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def report(self) -> str:
        """The problems as the command line shows them, under a line saying how many."""
        return "\n".join([f"The handbook source has {len(self.problems)} problem(s):",
                          *(f"  {problem}" for problem in self.problems)])


@dataclass
class YamlDoc:
    """A parsed YAML file that remembers the line of every value."""

    path: Path
    rel: str
    data: Any
    node: yaml.Node | None

    def line_of(self, loc: tuple[str | int, ...]) -> int | None:
        """Line (1-based) of the value at a key path such as ('levels', 0, 'rows', 3, 'id')."""
        node = self.node
        line = node.start_mark.line + 1 if node else None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == part:
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
            else:
                return line
            line = node.start_mark.line + 1
        return line


def key_path(loc: tuple[str | int, ...]) -> str:
    """('levels', 0, 'rows', 3) -> 'levels[0].rows[3]'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_yaml(path: Path, root: Path) -> YamlDoc:
    """Parse a YAML file; a syntax error becomes a SourceError naming file and line."""
    rel = path.relative_to(root.parent).as_posix() if root.parent in path.parents else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError([Problem(rel, f"cannot read the file: {exc.strerror}")]) from None
    loader = yaml.SafeLoader(text)
    try:
        # one parse: the node tree keeps the lines, the data is constructed from it (as yaml.safe_load would)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SourceError([Problem(rel, f"YAML syntax error: {exc.problem or exc}", line)]) from None
    finally:
        loader.dispose()
    return YamlDoc(path, rel, data, node)


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, line number where the body starts)."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            front = text[4:end]
            body = text[end + 5 :]
            return front, body, front.count("\n") + 4
    return "", text, 1


def text_fields(data: Any, loc: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """Every reader-facing text field (a mapping of language codes) with its key path."""
    if isinstance(data, dict):
        if data and all(isinstance(k, str) and len(k) == 2 and k.islower() for k in data):
            yield loc, data
            return
        for key, value in data.items():
            yield from text_fields(value, loc + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from text_fields(value, loc + (i,))
