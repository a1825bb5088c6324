"""Forms of the citizen survey: the code on the start page, one form per question page, the submit."""

from __future__ import annotations

from email_validator import EmailNotValidError
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from survey.kernel import codes
from survey.kernel.forms import HoneypotForm
from survey.kernel.outbox import Recipient
from survey.kernel.parsers import parse_email
from survey.kernel.sms_text import display_number, parse_mobile
from survey.questionnaire.flow import Step
from survey.questionnaire.kinds import DraftAnswer
from survey.questionnaire.rounds import INVITATION_CODE_LENGTH, find_invitation
from survey.questionnaire.schema import PageSpec, QuestionSpec
from survey.questionnaire.services import RESUME_CODE_LENGTH, find_draft, invitation_spent


class PageForm(HoneypotForm):
    """Base of the form built for each question page."""

    questions: list[QuestionSpec] = []
    #: set by the view when 'Gem og fortsæt senere' was pressed: a required question may stay blank for now (it is
    #: where the survey resumes, and the review asks for it before sending); what was typed is still checked
    pausing = False

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid or not self.pausing:
            return valid
        for question in self.questions:
            field = self[question.id]
            if question.required and question.question_kind.to_draft(field.data) is None:
                field.errors = []
        self._errors = None  # WTForms keeps the collected errors: collect them again without the blanks
        return not self.form_errors and not any(field.errors for field in self)

    def draft_answers(self) -> dict[str, DraftAnswer]:
        """The page's answers in the shape a draft keeps them; unanswered questions are left out."""
        answers = {}
        for question in self.questions:
            answer = question.question_kind.to_draft(self[question.id].data)
            if answer:
                answers[question.id] = answer
        return answers


#: form classes by (page, language), each with the page it was built from. A parsed questionnaire is shared by the
#: process (Questionnaire.spec), so its pages can share their form classes too: built, and their fields sorted by
#: WTForms, once instead of on every request. Keyed by id(): a page is not hashable; the kept page stops its id
#: from being reused while the entry lives.
_FORM_CLASSES: dict[tuple[int, str], tuple[PageSpec, type[PageForm]]] = {}
_FORM_CLASSES_KEPT = 512


def page_form_class(page: PageSpec | Step, lang: str) -> type[PageForm]:
    """A form class for one page (or step, flow.Step) of a questionnaire, in the citizen's language."""
    source = page.page if isinstance(page, Step) else page  # steps are made per request, their pages are kept
    key = (id(source), tuple(question.id for question in page.questions), lang)
    built, form_class = _FORM_CLASSES.get(key, (None, None))
    if built is not source:
        if len(_FORM_CLASSES) >= _FORM_CLASSES_KEPT:
            _FORM_CLASSES.clear()
        form_class = _build_page_form_class(page, lang)
        _FORM_CLASSES[key] = (source, form_class)
    return form_class


def _build_page_form_class(page: PageSpec | Step, lang: str) -> type[PageForm]:
    """Called while `lang` is the request's language."""
    fields: dict[str, object] = {"questions": page.questions}
    for question in page.questions:
        fields[question.id] = question.question_kind.field(question, lang)
    return type("PageForm", (PageForm,), fields)


def draft_to_form_data(page: PageSpec | Step, answers: dict[str, DraftAnswer]) -> dict[str, object]:
    """The kept answers of a page as its form's data."""
    return {q.id: q.question_kind.to_form(answers.get(q.id) or {}) for q in page.questions}


#: how the code reached the citizen (?fra=… on the links in an e-mail or SMS) -> the code field's label, hint and
#: "missing" message; None: not known (typed from a letter, an e-mail or an SMS), so the words name no channel
CODE_SOURCES = {
    "brev": (
        _l("Kode fra dit brev"),
        _l("Koden står i brevet og har 8 tegn, fx ABCD-EFGH."),
        _l("Indtast koden fra dit brev"),
    ),
    "e-mail": (
        _l("Kode fra din e-mail"),
        _l("Koden står i e-mailen og har 8 tegn, fx ABCD-EFGH."),
        _l("Indtast koden fra din e-mail"),
    ),
    "sms": (
        _l("Kode fra din sms"),
        _l("Koden står i sms'en og har 8 tegn, fx ABCD-EFGH."),
        _l("Indtast koden fra din sms"),
    ),
    None: (
        _l("Din kode"),
        _l("Koden står i brevet, e-mailen eller sms'en fra kommunen. Den har 8 tegn, fx ABCD-EFGH."),
        _l("Indtast din kode"),
    ),
}


def code_source(value: str | None) -> str | None:
    """The known channel named by ?fra=…, else None."""
    return value if value in CODE_SOURCES else None


class StartForm(HoneypotForm):
    """The start page; in an invitation round it asks for the code, in the words of the way it came (`source`)."""

    code = StringField(_l("Din kode"))

    def __init__(self, *args, round_=None, source: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.round_ = round_
        self.invitation = None
        self.code.label.text, self.code.description, self.code_missing = CODE_SOURCES[code_source(source)]

    def validate_code(self, field):
        if not self.round_.uses_invitations:
            return
        if not field.data:
            raise ValidationError(self.code_missing)
        if not codes.is_well_formed(codes.normalise(field.data), INVITATION_CODE_LENGTH):
            raise ValidationError(_l("Koden skal have 8 tegn, fx ABCD-EFGH. Tjek at den er skrevet rigtigt"))
        self.invitation = find_invitation(self.round_, field.data)
        if self.invitation is None:
            raise ValidationError(_l("Vi kan ikke finde koden. Tjek at den er skrevet, som du har fået den"))
        if invitation_spent(self.invitation):
            raise ValidationError(_l("Koden er allerede brugt. Der kan kun svares én gang med hver kode"))


class ResumeForm(HoneypotForm):
    """Taking up a paused survey by its resume code."""

    code = StringField(_l("Din kode til at fortsætte"), description=_l("Koden har 12 tegn, fx ABCD-EFGH-JKMN."))

    def __init__(self, *args, round_=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.round_ = round_
        self.draft = None

    def validate_code(self, field):
        if not field.data:
            raise ValidationError(_l("Indtast din kode til at fortsætte"))
        if not codes.is_well_formed(codes.normalise(field.data), RESUME_CODE_LENGTH):
            raise ValidationError(_l("Koden skal have 12 tegn, fx ABCD-EFGH-JKMN. Tjek at den er skrevet rigtigt"))
        self.draft = find_draft(self.round_, field.data)
        if self.draft is None:
            raise ValidationError(_l("Vi kan ikke finde påbegyndte svar med den kode. Måske er svarene allerede sendt"))


class ResumeCodeForm(HoneypotForm):
    """'Dine svar er gemt': the mobile number or e-mail address the resume code is sent to once (never stored)."""

    contact = StringField(
        _l("Mobilnummer eller e-mail"),
        description=_l(
            "Fx 20 30 40 50 eller navn@eksempel.dk. Vi sender kun koden og gemmer ikke nummeret eller adressen."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: whom to send to, once the form is valid
        self.recipient: Recipient | None = None

    def validate_contact(self, field):
        if not field.data:
            raise ValidationError(_l("Skriv dit mobilnummer eller din e-mail"))
        if "@" in field.data:
            try:
                self.recipient = Recipient(email=parse_email(field.data))
            except EmailNotValidError as error:
                raise ValidationError(_l("Skriv en gyldig e-mailadresse, fx navn@eksempel.dk")) from error
            return
        try:
            self.recipient = Recipient(phone=parse_mobile(field.data))
        except ValueError as error:
            raise ValidationError(
                _l(
                    "Skriv et mobilnummer med 8 cifre, fx 20 30 40 50, eller et udenlandsk med landekode, "
                    "fx +46 70 123 45 67"
                )
            ) from error

    @property
    def shown_contact(self) -> str:
        """The number or address as the page shows it back ('20 30 40 50')."""
        if self.recipient is None:
            return ""
        return self.recipient.email or display_number(self.recipient.phone)


class SubmitForm(HoneypotForm):
    #: lets a repeated submit of this form find the response it already made
    submission_id = HiddenField()
