"""A data file sent from a browser (a file field, or the same text pasted into a text area): its size is limited,
it must be UTF-8, and it is read as text for the same loaders the command line uses (kernel.datafiles)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from wtforms import FileField, TextAreaField

from survey.kernel.datafiles import DataFileError
from survey.kernel.extensions import db
from survey.kernel.forms import BaseForm

T = TypeVar("T")

#: the largest data file taken from a browser (our largest questionnaire is about 13 kB)
UPLOAD_LIMIT = 256 * 1024
#: the largest request of a page that takes a data file: the file, the same text pasted, and the rest of the form
UPLOAD_REQUEST_LIMIT = 2 * UPLOAD_LIMIT + 16 * 1024
#: the name a pasted text goes by in messages ("Afvist: indsat tekst …")
PASTED = "indsat tekst"


class UploadError(ValueError):
    """A file that cannot even be read as text: too large, not UTF-8, or missing; the message says what to do."""


def allow_upload_size() -> None:
    """Let this request carry a data file (the app's limit is sized for survey pages). Call it before anything
    reads the form: from a url_value_preprocessor, which runs before the CSRF check does."""
    request.max_content_length = UPLOAD_REQUEST_LIMIT
    request.max_form_memory_size = UPLOAD_REQUEST_LIMIT


def read_upload(file: FileStorage | None, pasted: str | None) -> tuple[str, str]:
    """(name, text) of the uploaded file, or else of the pasted text; UploadError when neither can be used."""
    if file is not None and file.filename:
        raw = file.stream.read(UPLOAD_LIMIT + 1)
        name = file.filename[:120]
    elif pasted and pasted.strip():
        raw, name = pasted.encode("utf-8", "surrogatepass"), PASTED
    else:
        raise UploadError(_("Vælg en YAML-fil, eller indsæt teksten fra filen."))
    if len(raw) > UPLOAD_LIMIT:
        raise UploadError(_("Filen er for stor. Den må højst fylde %(kb)d kB.", kb=UPLOAD_LIMIT // 1024))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise UploadError(
            _(
                "Filen er ikke gemt som UTF-8 (linje %(line)d). Gem den som UTF-8 i din editor, og prøv igen.",
                line=line,
            )
        ) from error
    return name, text.replace("\r\n", "\n").replace("\r", "\n")


class DataFileForm(BaseForm):
    """A data file from the browser: a file, or its text pasted (the file wins when both are sent)."""

    file = FileField(_l("YAML-fil"), description=_l("En fil i samme format som til kommandolinjen (.yaml)."))
    text = TextAreaField(_l("Eller indsæt teksten fra filen"), description=_l("Bruges kun, når du ikke vælger en fil."))
    #: the loader's problems with the file sent (load), shown by render_upload_page
    rejected: DataFileError | None = None

    def source(self) -> tuple[str, str] | None:
        """(name, text) of what was sent, read as it was (no stripping: line numbers must match); None, with the
        message at the file field, when it cannot be read."""
        try:
            return read_upload(request.files.get(self.file.name), request.form.get(self.text.name))
        except UploadError as error:
            self.file.errors = [*self.file.errors, str(error)]
            return None

    def load(self, loader: Callable[[str, str], T]) -> tuple[str, T] | None:
        """(name, what `loader(name, text)` made of the sent file), or None: nothing sent (a GET), a file that
        cannot be read, or one the loader rejected — then nothing it did is kept (rolled back), the text area
        holds the file's text to fix, and `rejected` its problems for `render_upload_page`."""
        if not self.validate_on_submit() or (source := self.source()) is None:
            return None
        name, text = source
        try:
            return name, loader(name, text)
        except DataFileError as error:
            db.session.rollback()
            self.text.data, self.rejected = text, error
            return None


_LINE = re.compile(r"^linje (\d+):")


def problem_lines(problems: list[str], text: str) -> list[tuple[str, str | None]]:
    """Each problem with the line of the file it names (as the file has it), to find it without line numbers."""
    lines = text.splitlines()
    found = []
    for problem in problems:
        match = _LINE.match(problem)
        number = int(match.group(1)) if match else 0
        found.append((problem, lines[number - 1].strip() or None if 0 < number <= len(lines) else None))
    return found


def render_upload_page(template: str, form: DataFileForm, **context):
    """Render an upload page; a rejected file's problems (the same lines as on the command line) head the page in
    the error summary, each linking to the text area that now holds the file's text. Status 400 on any error."""
    rejected = form.rejected
    errors = form.error_list() if form.errors else []
    if rejected is not None:
        errors += [(form.text.id, problem) for problem in rejected.problems]
    problems = problem_lines(rejected.problems, form.text.data or "") if rejected is not None else []
    html = render_template(
        template, form=form, errors=errors, has_errors=bool(errors), rejected=rejected, problems=problems, **context
    )
    return html, 400 if errors else 200
