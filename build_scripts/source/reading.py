"""Reading source files so that every problem can name its file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

# Bounds on what an editor's file may be. The real handbook's largest data file is under 70 kB and its longest page
# under 20 kB: these leave room for any district, and refuse a pasted-in 30 MB file before reading it.
MAX_DATA_BYTES = 4_000_000
MAX_PAGE_BYTES = 1_000_000
MAX_YAML_DEPTH = 40  # the matrices nest 11 deep; PyYAML composes recursively, so a deeper file would hit Python's limit
# Control characters have no place in the handbook's text (tab, newline and carriage return are layout); a NUL or
# a form feed is a paste accident that the YAML reader or the browser would choke on. U+FFFE/U+FFFF are not characters.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


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


def source_rel(path: Path, root: Path) -> str:
    """How messages name a file of the handbook folder `root`: handbook/data/codes.yml."""
    return path.relative_to(root.parent).as_posix() if root.parent in path.parents else str(path)


def _line_and_column(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def decode_source(raw: bytes, rel: str) -> str:
    """UTF-8 text of a source file without control characters, or a SourceError saying where and what to do."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", errors="replace")
        line, column = _line_and_column(good, len(good))
        raise SourceError([Problem(rel, f"column {column}: byte 0x{raw[exc.start]:02x} is not UTF-8 (the file was saved "
                                   "in another encoding, e.g. Windows-1252): save the file as UTF-8", line)]) from None
    text = text.removeprefix("\ufeff")  # a byte order mark some Windows editors write: harmless
    problems = []
    for match in _CONTROL_RE.finditer(text):
        line, column = _line_and_column(text, match.start())
        problems.append(Problem(rel, f"column {column}: control character U+{ord(match[0]):04X} (invisible in most "
                                "editors): delete it", line))
        if len(problems) == 10:
            break  # a binary file pasted in would give thousands; ten say enough
    if problems:
        raise SourceError(problems)
    return text


def read_source_text(path: Path, rel: str, max_bytes: int) -> str:
    """The text of one source file, read only if it is under `max_bytes` (checked before reading it)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError([Problem(rel, f"the file is {size / 1e6:.1f} MB; a source file may be at most "
                                       f"{max_bytes / 1e6:g} MB: split it or remove what was pasted in by mistake")])
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise SourceError([Problem(rel, f"cannot read the file: {exc.strerror}")]) from None
    if len(raw) > max_bytes:
        raise SourceError([Problem(rel, f"the file is over {max_bytes / 1e6:g} MB, the most a source file may be")])
    return decode_source(raw, rel)


class SourceLoader(yaml.SafeLoader):
    """yaml.SafeLoader that also refuses what it would otherwise accept silently or crash on: a key written twice
    in one mapping (the last value would win unseen), nesting deeper than MAX_YAML_DEPTH, an alias of a list or
    mapping (`*name`: shared structure that could expand a small file into billions of values), and values Python
    cannot make (a 5000-digit number, 2024-13-45 as a date)."""

    def __init__(self, stream: str, first_line: int = 1):
        super().__init__(stream)
        self.depth = 0
        self.first_line = first_line  # the file's line where `stream` starts, for the lines named in messages

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target = self.anchors.get(event.anchor)
            if target is not None and not isinstance(target, yaml.ScalarNode):
                raise yaml.composer.ComposerError(None, None, f"the alias '*{event.anchor}' repeats a list or mapping: "
                                                  "write the values out", event.start_mark)
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"lists and mappings nest more than {MAX_YAML_DEPTH} "
                                                  "levels deep here", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, OverflowError, TypeError) as exc:  # int(), date(), float() on a value out of range
            raise yaml.constructor.ConstructorError(None, None, f"cannot read this value ({exc})", node.start_mark) from None

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}  # key -> index of its first occurrence
            for index, (key_node, _) in enumerate(node.value):
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *defaults` overrides on purpose
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, index)
                except TypeError:
                    continue  # an unhashable key: SafeConstructor says so below
                if first != index:
                    lines = [self.first_line + n.start_mark.line for n in (node.value[first][0], key_node)]
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key '{str(key)[:60]}' is written twice in this mapping, on line {lines[0]} "
                        f"and on line {lines[1]}: keep one", key_node.start_mark)
        return super().construct_mapping(node, deep)


def parse_yaml(text: str, rel: str, first_line: int = 1) -> tuple[Any, yaml.Node | None]:
    """(data, node tree) of YAML text; any problem becomes a SourceError naming the file and line. `first_line`:
    the file's line where `text` starts (front matter starts on line 2)."""
    loader = SourceLoader(text, first_line)
    try:
        # one parse: the node tree keeps the lines, the data is constructed from it (as yaml.safe_load would)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        what = "YAML syntax error" if isinstance(exc, (yaml.scanner.ScannerError, yaml.parser.ParserError)) else "YAML error"
        raise SourceError([Problem(rel, f"{what}: {exc.problem or exc}", line)]) from None
    except yaml.YAMLError as exc:  # decode_source has refused what the reader would; kept so nothing escapes
        raise SourceError([Problem(rel, f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    return data, node


def read_yaml_file(path: Path, rel: str, max_bytes: int = MAX_DATA_BYTES) -> YamlDoc:
    """Read and parse one YAML file through the source reader (size, encoding, control characters, YAML)."""
    data, node = parse_yaml(read_source_text(path, rel, max_bytes), rel)
    return YamlDoc(path, rel, data, node)


def read_yaml(path: Path, root: Path) -> YamlDoc:
    """Parse a YAML file of the handbook folder `root`; any problem becomes a SourceError naming file and line."""
    return read_yaml_file(path, source_rel(path, root))


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, line number where the body starts)."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            front = text[4:end]
            body = text[end + 5 :]
            return front, body, front.count("\n") + 4
    return "", text, 1


def _sections(data: dict) -> bool:
    """A mapping of language codes to lists of records (search.yml's entries per language) holds sections, not a
    text: its records are read one by one."""
    return any(isinstance(v, list) and any(isinstance(x, dict) for x in v) for v in data.values())


def text_fields(data: Any, loc: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """Every reader-facing text field (a mapping of language codes) with its key path."""
    if isinstance(data, dict):
        if data and all(isinstance(k, str) and len(k) == 2 and k.islower() for k in data) and not _sections(data):
            yield loc, data
            return
        for key, value in data.items():
            yield from text_fields(value, loc + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from text_fields(value, loc + (i,))
