"""Reading source files so that every problem can name its file and line."""

from __future__ import annotations

import re
from collections import Counter
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


class Refused(yaml.composer.ComposerError):
    """What SourceLoader refuses though YAML allows it (its message says why, in the editor's words)."""


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
                raise Refused(None, None, f"the alias '*{event.anchor}' repeats a list or mapping: "
                                                  "write the values out", event.start_mark)
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise Refused(None, None, f"lists and mappings nest more than {MAX_YAML_DEPTH} "
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


# The line breaks of YAML (and so of PyYAML's marks): an editor's \r\n or \r as well as \n, and NEL, LS and PS.
_YAML_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def yaml_lines(text: str) -> list[str]:
    """The lines of `text` as the YAML reader counts them (its marks index this list)."""
    return _YAML_BREAK_RE.split(text)


def _line_at(lines: list[str], row: int) -> str:
    return lines[row] if 0 <= row < len(lines) else ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _line_before(lines: list[str], row: int) -> int | None:
    """The index of the nearest line above `row` that holds something (not blank, not only a comment)."""
    for before in range(min(row, len(lines)) - 1, -1, -1):
        if lines[before].strip() and not lines[before].lstrip().startswith("#"):
            return before
    return None


def _spaces(count: int) -> str:
    return f"{count} space" if count == 1 else f"{count} spaces"


def _too_deep(line_above: int) -> str:
    return (f"this line is indented more than the line above it (line {line_above}): give it the same indentation as "
            "the keys it belongs with")


def _quote_run_on_to(text: str, row: int) -> yaml.Mark | None:
    """Where a quoted value starts that runs over several lines and ends on line `row` (0-based), where the error was
    noticed: its closing quote was forgotten, and the next quote in the file closed it."""
    start = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if (isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
                    and token.start_mark.line < token.end_mark.line == row):
                start = token.start_mark
    except yaml.YAMLError:
        pass  # the scan stops at the error, having seen every token before it
    return start


def _deeper_run(lines: list[str], row: int) -> tuple[int, int, int] | None:
    """Line `row` is indented less than the lines just above it but more than their key: which is wrong? The file's
    own habit decides. If `row` is indented under the key by the file's usual step (the most common one from a `key:`
    to its first line) and the lines above are not, the first of those is the mistake (an over-indented key): (its
    index, the key's, the usual step); else None (`row` is)."""
    content = [n for n, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    steps = Counter(_indent(lines[b]) - _indent(lines[a]) for a, b in zip(content, content[1:])
                    if lines[a].rstrip().endswith(":") and _indent(lines[b]) > _indent(lines[a]))
    if not steps:
        return None
    usual = steps.most_common(1)[0][0]
    first = _line_before(lines, row)
    while first is not None:
        before = _line_before(lines, first)
        if before is None or _indent(lines[before]) < _indent(lines[first]):
            break
        first = before
    key = _line_before(lines, first) if first is not None else None
    if key is None or _indent(lines[key]) >= _indent(lines[row]):
        return None
    if _indent(lines[row]) - _indent(lines[key]) == usual != _indent(lines[first]) - _indent(lines[key]):
        return first, key, usual
    return None


def missing_colon(key: str) -> str:
    """The advice for a key written without its ':' (the YAML reader's and the schema's)."""
    return f"add ':' after the key '{key}' (a key and its value: 'key: value')"


def _first_word(text: str) -> str:
    return text.strip().removeprefix("- ").split(" ")[0][:60]


def explain_yaml_error(exc: yaml.MarkedYAMLError, text: str, first_line: int = 1) -> tuple[int | None, int, str]:
    """(0-based line, 1-based column, advice) for a YAML syntax error, at the place of the mistake.

    PyYAML reports where it noticed the mistake, often the token after it: a key without ':' is noticed on the next
    line (its context mark is the key), an unclosed quote or bracket at the end of the file (its context mark is where
    it opened), a line indented too deep as "mapping values are not allowed here". This turns its words into what to do."""
    problem, context = exc.problem or "", exc.context or ""
    lines = yaml_lines(text)
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return None, 0, problem or str(exc)
    row, column = mark.line, mark.column + 1
    here = _line_at(lines, row)
    opened = exc.context_mark
    if "'\\t'" in problem:
        return row, column, "a tab: YAML takes spaces only, not tabs; replace the tab with spaces"
    quoted = _quote_run_on_to(text, row)
    if quoted is not None:
        quote = _line_at(lines, quoted.line)[quoted.column:quoted.column + 1]
        return quoted.line, quoted.column + 1, (f"the quote {quote} opened here is not closed on its line (it runs on to "
                                                 f"line {row + first_line}): add the closing {quote}")
    if problem == "could not find expected ':'" and opened is not None:
        key = _first_word(_line_at(lines, opened.line)[opened.column:])
        return opened.line, opened.column + 1, missing_colon(key)
    if problem == "mapping values are not allowed here":
        before = _line_before(lines, row)
        if before is not None:
            above = lines[before]
            # `title` then `en: ...`, or `languages [en]` then `district: ...`: the line above is a key without ':'
            if ":" not in above and not above.strip().startswith("-") and _indent(here) >= _indent(above):
                return before, _indent(above) + 1, missing_colon(_first_word(above))
            if _indent(here) > _indent(above):
                return row, _indent(here) + 1, _too_deep(before + first_line)
        return row, column, "a value holding ': ' must be written in quotes, e.g. title: \"Part 1: Rights\""
    if "quoted scalar" in context and "end of stream" in problem and opened is not None:
        quote = _line_at(lines, opened.line)[opened.column:opened.column + 1] or '"'
        return opened.line, opened.column + 1, f"the quote {quote} opened here is never closed: add the closing {quote}"
    if context.startswith("while parsing a flow") and opened is not None and (opened.line != row or "stream end" in problem):
        bracket = _line_at(lines, opened.line)[opened.column:opened.column + 1] or "["
        closing = {"[": "]", "{": "}"}.get(bracket, "]")
        return opened.line, opened.column + 1, f"the '{bracket}' opened here is never closed: add '{closing}' after the last item"
    if problem.startswith("expected <block end>"):
        before = _line_before(lines, row)
        if "'<scalar>'" in problem and column > _indent(here) + 1:
            return row, column, "more text after the value's closing quote or bracket: put the whole value inside the quotes"
        if before is not None and _indent(here) > _indent(lines[before]) and column == _indent(here) + 1:
            return row, column, _too_deep(before + first_line)
        if before is not None and _indent(here) < _indent(lines[before]) and column == _indent(here) + 1:
            deeper = _deeper_run(lines, row)
            if deeper is not None:  # the lines above went deeper than this file indents: they are the odd ones
                first, key, usual = deeper
                return first, _indent(lines[first]) + 1, (
                    f"this line is indented {_spaces(_indent(lines[first]) - _indent(lines[key]))} more than its key "
                    f"(line {key + first_line}), where this file indents by {_spaces(usual)}: indent it and the "
                    f"lines with it like line {row + first_line}")
            return row, column, (f"this line is indented {_spaces(_indent(here))}, less than line {before + first_line} "
                                 f"({_spaces(_indent(lines[before]))}) but lining up with no key above it: give the lines of one "
                                 "list or mapping the same indentation")
        if "'-'" in problem or "block sequence" in problem:
            return row, column, "a list item ('- ') where a key was expected: put it under its key, indented"
    if "undefined alias" in problem:
        return row, column, "a value starting with '*' must be written in quotes"
    if problem.startswith("found character") and "cannot start any token" in problem:
        return row, column, f"a value cannot start with {problem.split()[2]}: write the value in quotes"
    if "another document" in problem:
        return row, column, "a second '---' starts another document; a file holds one: delete this line"
    return row, column, problem or context or str(exc)


def _syntax_problem(rel: str, text: str, row: int | None, column: int, advice: str, first_line: int) -> Problem:
    """The Problem for a syntax error at (row, column) of `text`; a place past the last line or on a blank one (the
    end of the file) moves to the end of the last line that holds something, where the editor will look."""
    if row is None:
        return Problem(rel, f"YAML syntax error: {advice}", first_line)
    lines = yaml_lines(text)
    if row >= len(lines) or not lines[row].strip():
        before = _line_before(lines, row)
        row, column = (before, len(lines[before]) + 1) if before is not None else (0, 1)
    return Problem(rel, f"YAML syntax error at column {column}: {advice}", row + first_line)


def parse_yaml(text: str, rel: str, first_line: int = 1) -> tuple[Any, yaml.Node | None]:
    """(data, node tree) of YAML text; any problem becomes a SourceError naming the file and line. `first_line`:
    the file's line where `text` starts (front matter starts on line 2)."""
    loader = SourceLoader(text, first_line)
    try:
        # one parse: the node tree keeps the lines, the data is constructed from it (as yaml.safe_load would)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except (yaml.scanner.ScannerError, yaml.parser.ParserError, yaml.composer.ComposerError) as exc:
        if isinstance(exc, Refused):
            raise SourceError([Problem(rel, f"YAML error: {exc.problem}", exc.problem_mark.line + first_line)]) from None
        row, column, advice = explain_yaml_error(exc, text, first_line)
        raise SourceError([_syntax_problem(rel, text, row, column, advice, first_line)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        raise SourceError([Problem(rel, f"YAML error: {exc.problem or exc}", line)]) from None
    except yaml.YAMLError as exc:  # decode_source has refused what the reader would; kept so nothing escapes
        raise SourceError([Problem(rel, f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    return data, node


# libyaml's safe loader reads the same data as yaml.SafeLoader, ten times faster, but names a mistake in PyYAML's words
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml_data(path: Path, rel: str, max_bytes: int = MAX_DATA_BYTES) -> Any:
    """The data of a YAML file `check` has already read (no lines kept), by libyaml for speed; a file it cannot read
    (changed since, or never checked) is read again by the source reader, whose SourceError names the line."""
    text = read_source_text(path, rel, max_bytes)
    try:
        return yaml.load(text, Loader=_FAST_LOADER)
    except (yaml.YAMLError, ValueError, OverflowError, TypeError, RecursionError):
        return parse_yaml(text, rel)[0]


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
