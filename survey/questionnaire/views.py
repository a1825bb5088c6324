"""The citizen's pages: start, question pages, pause/resume, review and submit, receipt."""

from __future__ import annotations

from functools import cache, partial, wraps

from flask import abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from survey.kernel import codes
from survey.kernel.database import read_without_transaction
from survey.kernel.errors import form_again, form_again_when_limited, unavailable_summary
from survey.kernel.extensions import db
from survey.kernel.rendering import current_lang, render_form_page
from survey.questionnaire import bp, flow, sent, services, submit_rate
from survey.questionnaire.forms import ResumeForm, StartForm, SubmitForm, draft_to_form_data, page_form_class
from survey.questionnaire.models import Questionnaire, Round
from survey.questionnaire.review import missing_errors, review_rows
from survey.questionnaire.shown import ShownRound, shown_round


def round_shown(round_slug: str) -> ShownRound:
    """The round a URL names as the citizen's pages show it, else 404."""
    return shown_round(round_slug) or abort(404)


def round_named(round_slug: str) -> Round:
    """The round a URL names with its questionnaire and policy as models, for the submit that stores the answers,
    else 404."""
    if "\x00" in round_slug:
        abort(404)
    return db.session.scalar(_round_by_slug(), {"slug": round_slug}) or abort(404)


@cache
def _round_by_slug():
    """Built once: SQLAlchemy then reuses its compiled SQL without working out the statement's cache key again."""
    # every citizen page shows the questionnaire and the municipality: one statement instead of three
    questionnaire = joinedload(Round.questionnaire, innerjoin=True)
    return (
        select(Round)
        .where(Round.slug == bindparam("slug"))
        .options(questionnaire.joinedload(Questionnaire.policy).undefer_group("contact"))
    )


def open_round(view, load=round_shown):
    """Load the round named in the URL (by default as shown, shown.ShownRound); a round that is not open gets a
    clear page instead of the view."""

    @wraps(view)
    def wrapper(round_slug: str, **kwargs):
        if request.method == "GET":  # the citizen's pages write only when posted
            read_without_transaction()
        round_ = load(round_slug)
        state = round_.state()
        if state != "open":
            html = render_template("questionnaire/round_state.html", round_=round_, state=state)
            return html, 200 if request.method == "GET" else 409
        services.remember_round(round_, refresh=request.method == "GET")
        return view(round_, **kwargs)

    return wrapper


def with_draft(view):
    """Load the draft whose resume code is in the URL (for a GET, which only shows it, as a plain copy); an unknown
    code gets a page that says what to do, and the code of answers this browser has sent a page that says they are
    sent (Back after 'Send svar')."""

    @wraps(view)
    def wrapper(round_: ShownRound, token: str, **kwargs):
        find = services.read_draft if request.method == "GET" else services.find_draft
        draft = find(round_, token)
        if draft is None:
            return _no_draft(round_, token)
        return view(round_, draft, token, **kwargs)

    return wrapper


def _no_draft(round_: ShownRound | Round, token: str):
    if sent.was_sent(token):
        return render_template("questionnaire/sent.html", round_=round_)
    return render_template("questionnaire/unknown_draft.html", round_=round_), 404


def resume_url(round_: ShownRound, draft, token: str, **args) -> str:
    """Where a paused survey is taken up (services.resume_address)."""
    endpoint, endpoint_args = services.resume_address(round_, draft)
    return url_for(endpoint, round_slug=round_.slug, token=token, **endpoint_args, **args)


def limited_round(round_slug: str) -> ShownRound | None:
    """The round of a refused post, when it exists and is open (the rate limit refused it before open_round ran)."""
    round_ = shown_round(round_slug)
    return round_ if round_ is not None and round_.state() == "open" else None


def wait_next_to(field, form, message: str) -> dict:
    """The wait message next to `field` and in the error summary, what was typed still in the fields."""
    field.errors = [message]
    return {"errors": form.error_list(), "has_errors": True}


def _start_again(message: str, round_slug: str) -> str | None:
    """The start page again after a rate limit refused it: how long to wait, the typed code kept."""
    round_ = limited_round(round_slug)
    if round_ is None:
        return None
    form = StartForm(round_=round_, source=request.args.get("fra"))
    summary = (
        wait_next_to(form.code, form, message)
        if round_.uses_invitations
        else unavailable_summary("main-content", message)
    )
    spec = round_.questionnaire.spec
    return render_template("questionnaire/start.html", form=form, round_=round_, spec=spec, **summary)


@bp.route("/<round_slug>/", methods=["GET", "POST"])
@form_again_when_limited(_start_again)
@open_round
def start(round_: ShownRound):
    """The start page: what the survey is, that it is anonymous; the code field in invitation rounds."""
    # the QR code on a letter carries the code, so the citizen only has to press start
    # ?fra=… (the links in an e-mail or SMS) names where the code came from, so the field says so
    form = StartForm(round_=round_, source=request.args.get("fra"), data={"code": request.args.get("kode", "")})
    if form.validate_on_submit():
        _draft, token = services.start_draft(round_, form.invitation)
        # the address is made before the commit, which expires round_: reading it after would begin a transaction
        first_page = url_for(".page", round_slug=round_.slug, token=token, number=1)
        db.session.commit()
        return redirect(first_page)
    return render_form_page("questionnaire/start.html", form, round_=round_, spec=round_.questionnaire.spec)


def _resume_again(message: str, round_slug: str) -> str | None:
    """The resume page again after a rate limit refused it: how long to wait, the typed code kept."""
    round_ = limited_round(round_slug)
    if round_ is None:
        return None
    form = ResumeForm(round_=round_)
    return render_template(
        "questionnaire/resume.html", form=form, round_=round_, **wait_next_to(form.code, form, message)
    )


@bp.route("/<round_slug>/fortsaet", methods=["GET", "POST"])
@form_again_when_limited(_resume_again)
@open_round
def resume(round_: ShownRound):
    """Take up a paused survey by typing the resume code."""
    form = ResumeForm(round_=round_)
    if form.validate_on_submit():
        return redirect(resume_url(round_, form.draft, codes.normalise(form.code.data)))
    return render_form_page("questionnaire/resume.html", form, round_=round_)


def _page_again(round_slug: str, token: str, number: int, message: str | None = None) -> str | None:
    """The question page again with what was posted, shown while the database does not answer (or, with the
    rate limit's `message`, while the limit holds)."""
    round_ = services.seen_round(round_slug)
    # the draft's answers (and so its route) are out of reach: the steps of a route whose page asks what the form
    # posts (those answers are still in its fields)
    shown = (
        flow.steps_for_posted(round_.questionnaire.spec, number, set(request.form), round_.one_question_per_page)
        if round_ is not None
        else []
    )
    if not 1 <= number <= len(shown):
        return None
    context = _page_context(round_, token, number, shown)
    form = page_form_class(context["page"], context["lang"])()
    message = message or _(
        "Vi kunne ikke gemme dine svar lige nu. Dine svar står stadig i felterne. Prøv igen om lidt."
    )
    summary = unavailable_summary(context["page"].questions[0].id, message)
    return render_template("questionnaire/page.html", form=form, **summary, **context)


def _page_context(round_, token: str, number: int, shown: list[flow.Step], total: int | None = None) -> dict:
    back = url_for(".page", round_slug=round_.slug, token=token, number=number - 1) if number > 1 else None
    return {
        "round_": round_,
        "page": shown[number - 1],
        "number": number,
        "total": total or len(shown),
        "one_per_page": round_.one_question_per_page,
        "back_url": back or url_for(".start", round_slug=round_.slug),
        "lang": current_lang(),
    }


@bp.route("/<round_slug>/svar/<token>/side/<int:number>", methods=["GET", "POST"])
@form_again(_page_again)
@open_round
@with_draft
def page(round_: ShownRound, draft, token: str, number: int):
    """One page (step) of questions; its answers are saved on the server at every 'Fortsæt'."""
    shown = services.steps_of(round_, draft.answers or {})
    if not 1 <= number <= len(shown):
        abort(404)
    step, lang = shown[number - 1], current_lang()
    initial = draft_to_form_data(step, draft.answers or {}) if request.method == "GET" else None
    form = page_form_class(step, lang)(data=initial)
    form.pausing = "save_later" in request.form
    if form.validate_on_submit():
        services.save_page(draft, step, form.draft_answers(), passed="save_later" not in request.form)
        # the next address before the commit, which expires round_: reading it after would begin a transaction;
        # the steps are read again, as the answers just given may change the ones that follow
        following = _after_page(round_.slug, token, number, len(services.steps_of(round_, draft.answers)))
        db.session.commit()
        return redirect(following)
    total = services.expected_total(round_, draft.answers or {})
    return render_form_page("questionnaire/page.html", form, **_page_context(round_, token, number, shown, total))


def _after_page(round_slug: str, token: str, number: int, pages: int) -> str:
    """Where 'Fortsæt' (or 'Gem og fortsæt senere') on a question page leads."""
    if "save_later" in request.form:
        return url_for(".saved", round_slug=round_slug, token=token)
    if request.args.get("retur") == "tjek" or number == pages:
        return url_for(".review", round_slug=round_slug, token=token)
    return url_for(".page", round_slug=round_slug, token=token, number=number + 1)


@bp.get("/<round_slug>/svar/<token>/tjek")
@open_round
@with_draft
def review(round_: ShownRound, draft, token: str):
    """'Tjek dine svar': every answer with a link to change it, and the submit button."""
    form = SubmitForm(data={"submission_id": draft.submission_id})
    return _render_review(round_, draft, token, form, missing=[])


def _render_review(round_: ShownRound, draft, token: str, form, missing):
    errors = missing_errors(missing, current_lang()) + form.error_list()
    html = render_template(
        "questionnaire/review.html",
        round_=round_,
        token=token,
        form=form,
        errors=errors,
        has_errors=bool(errors),
        rows=review_rows(round_, draft, token, current_lang()),
        last_step=len(services.steps_of(round_, draft.answers or {})),
        missing_ids={q.id for q in missing},
    )
    return html, 400 if errors else 200


class _AnswersNotShown:
    """The review rows while the database does not answer: none to show, yet review.html's back link
    (`rows | length`) still needs the number of pages."""

    def __init__(self, pages: int):
        self.pages = pages

    def __len__(self) -> int:
        return self.pages

    def __iter__(self):
        return iter(())


def _review_again(round_slug: str, token: str, message: str | None = None) -> str | None:
    """'Tjek dine svar' again with the same submission id, shown while the database does not answer (or, with the
    rate limit's `message`, while the limit holds)."""
    round_ = services.seen_round(round_slug)
    if round_ is None:
        return None
    message = message or _(
        "Vi kunne ikke sende dine svar lige nu. De svar, du har gemt, er ikke tabt. Prøv at sende igen om lidt."
    )
    return render_template(
        "questionnaire/review.html",
        round_=round_,
        token=token,
        form=SubmitForm(),
        rows=_AnswersNotShown(len(services.steps_of(round_, {}))),
        missing_ids=set(),
        **unavailable_summary("main-content", message),
    )


@bp.post("/<round_slug>/svar/<token>/tjek")
@form_again(_review_again)
@partial(open_round, load=round_named)  # the answers are stored against the questionnaire's and policy's rows
def submit(round_: Round, token: str):
    """Send the answers: one transaction; a repeated submit is answered with the same receipt."""
    form = SubmitForm()
    draft = services.find_draft(round_, token, for_update=True)
    if draft is None:
        earlier = services.response_for_submission(form.submission_id.data)
        if earlier is None:
            return _no_draft(round_, token)
        return _to_receipt(round_.slug, earlier.receipt, token)
    missing = services.missing_required(round_.questionnaire, draft.answers or {})
    if not form.validate_on_submit() or missing:
        return _render_review(round_, draft, token, form, missing)
    submission_id, round_slug = draft.submission_id, round_.slug
    counted = (round_.id, round_.opens_at) if not round_.uses_invitations else None
    try:
        # read before the commit, which expires both: reading them after would begin another transaction
        receipt = services.submit_response(draft).receipt
        db.session.commit()
    except IntegrityError:
        # the same draft was sent twice at the same moment and the other request stored it first
        db.session.rollback()
        receipt = (services.response_for_submission(submission_id) or abort(409)).receipt
    else:
        if counted:
            submit_rate.note_submit(*counted)  # after the commit: counting never costs the citizen the answers
    return _to_receipt(round_slug, receipt, token)


def _to_receipt(round_slug: str, receipt: str, token: str):
    # The receipt number travels in the session, not the URL: an access log holding URL and IP address
    # side by side must not be able to point at a response.
    session["receipt"] = receipt
    sent.remember_sent(token)  # Back to a page of the survey then says the answers are sent
    return redirect(url_for(".receipt", round_slug=round_slug))


@bp.get("/<round_slug>/kvittering")
def receipt(round_slug: str):
    """The receipt: the answers are received, with a number to quote."""
    read_without_transaction()
    round_ = round_shown(round_slug)
    number = session.get("receipt")
    return render_template(
        "questionnaire/receipt.html", round_=round_, receipt=codes.grouped(number) if number else None
    )
