"""Loading YAML data files (policies, questionnaires) with errors that name the line and the field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click
from pydantic import BaseModel, ValidationError

from survey.kernel.extensions import db

if TYPE_CHECKING:  # PyYAML is imported by read_yaml: a worker serving citizens never reads a data file (issue 18)
    import yaml

M = TypeVar("M", bound=BaseModel)


class DataFileError(ValueError):
    """A data file that cannot be loaded; `problems` are human-readable lines naming line and field."""

    def __init__(self, path: str | Path, problems: list[str], located: list[tuple[tuple, str]] | None = None):
        self.path = str(path)
        self.problems = problems
        #: (field path, message) of the problems that belong to a field, for a form that shows them at its fields
        self.located = located or []
        super().__init__(f"{self.path}: " + "; ".join(problems))


def _line_map(node: yaml.Node, path: tuple = (), lines: dict | None = None) -> dict[tuple, int]:
    """Map every path in the document (keys and list indexes) to its 1-based line number."""
    import yaml

    lines = {} if lines is None else lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            lines[(*path, key_node.value)] = key_node.start_mark.line + 1
            _line_map(value_node, (*path, key_node.value), lines)
            lines[(*path, key_node.value)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines)
    return lines


#: pydantic's messages in Danish, by error type (the context fills in the limits); a type not named here keeps
#: pydantic's English message
MESSAGES = {
    "missing": "feltet mangler",
    "extra_forbidden": "ukendt felt (er det stavet rigtigt?)",
    "string_type": "skal være en tekst",
    "string_too_short": "skal være mindst {min_length} tegn",
    "string_too_long": "må højst være {max_length} tegn",
    "string_pattern_mismatch": "har ikke den rigtige form (se eksemplerne i data/)",
    "int_type": "skal være et helt tal",
    "int_parsing": "skal være et helt tal",
    "int_from_float": "skal være et helt tal",
    "bool_type": "skal være true eller false",
    "bool_parsing": "skal være true eller false",
    "less_than_equal": "må højst være {le}",
    "greater_than_equal": "skal være mindst {ge}",
    "less_than": "skal være mindre end {lt}",
    "greater_than": "skal være større end {gt}",
    "literal_error": "skal være {expected}",
    "list_type": "skal være en liste (linjer, der begynder med -)",
    "too_short": "skal have mindst {min_length}",
    "model_type": "skal være felter med navn og værdi (navn: værdi)",
    "dict_type": "skal være felter med navn og værdi (navn: værdi)",
}


def message_of(error: dict) -> str:
    """A pydantic error in Danish: our own rules' messages as they are, pydantic's translated (MESSAGES)."""
    if error["type"] == "value_error":
        return str(error["ctx"]["error"]) if "error" in error.get("ctx", {}) else error["msg"]
    if error["type"] == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        return "må ikke være tom"
    template = MESSAGES.get(error["type"])
    if template is None:
        return error["msg"]
    context = {key: str(value).replace(" or ", " eller ") for key, value in error.get("ctx", {}).items()}
    return template.format(**context)


class LineLocator:
    """Finds the line of a field path, falling back to the nearest enclosing field that exists."""

    def __init__(self, path: str | Path, lines: dict[tuple, int]):
        self.path = str(path)
        self.lines = lines

    def line(self, loc: tuple) -> int:
        loc = tuple(part for part in loc if isinstance(part, int) or not str(part).startswith(("function-", "tagged-")))
        while loc and loc not in self.lines:
            loc = loc[:-1]
        return self.lines.get(loc, 1)

    def problem(self, loc: tuple, message: str) -> str:
        field = ".".join(str(p) for p in loc) or "(dokument)"
        return f"linje {self.line(loc)}: {field}: {message}"


def read_yaml(path: str | Path, text: str | None = None) -> tuple[object, LineLocator]:
    """Parse a YAML file (or `text`, an uploaded file named `path`) into plain data plus a locator for error
    messages."""
    import yaml

    text = Path(path).read_text(encoding="utf-8") if text is None else text
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None or mark.line >= len(text.splitlines()):
            # an error found only at the end of the file (an unclosed quote) is reported where it began
            mark = getattr(exc, "context_mark", None) or mark
        line = mark.line + 1 if mark else 1
        raise DataFileError(path, [f"linje {line}: ugyldig YAML: {getattr(exc, 'problem', exc)}"]) from exc
    if node is None:
        raise DataFileError(path, ["linje 1: filen er tom"])
    return data, LineLocator(path, _line_map(node))


def load_model(path: str | Path, model: type[M], text: str | None = None) -> tuple[M, LineLocator]:
    """Read a YAML file (or `text`, see read_yaml) and validate it against a pydantic model; errors name line and
    field."""
    data, locator = read_yaml(path, text)
    return validate_model(data, model, locator), locator


def validate_model(data: object, model: type[M], locator: LineLocator) -> M:
    """Validate plain data (a parsed file, or a definition a form has changed) against a pydantic model."""
    try:
        instance = model.model_validate(data)
    except ValidationError as exc:
        located = [(err["loc"], message_of(err)) for err in exc.errors()]
        raise DataFileError(locator.path, [locator.problem(*one) for one in located], located) from exc
    # rules across fields live in problems(), so that each can be reported at the key that breaks it
    located = list(getattr(instance, "problems", list)())
    if located:
        raise DataFileError(locator.path, [locator.problem(*one) for one in located], located)
    return instance


def load_all(loader: Callable[[str], tuple], files: tuple[str, ...]) -> list[tuple]:
    """Run `loader` on every file in one transaction: all are stored, or, at the first bad file, none.

    Returns (path, *what the loader returned) per file; a rejected file is printed with every problem and
    ends the command with exit code 1."""
    try:
        results = [(path, *loader(path)) for path in files]
    except DataFileError as error:
        db.session.rollback()
        click.echo(f"Afvist: {error.path} (intet er gemt)", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from error
    db.session.commit()
    return results


FILES = click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
