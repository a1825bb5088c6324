"""Logging in, in two steps (password, then a code from the phone or a recovery code), and logging out."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.kernel import roles
from survey.kernel.errors import form_again_when_limited, wait_in_words
from survey.kernel.extensions import db
from survey.kernel.rendering import render_form_page
from survey.staff import bp, services, sessions, totp
from survey.staff.access import half_login_required, role_required
from survey.staff.forms import CodeForm, EnrolForm, LoginForm
from survey.staff.redirects import safe_next
from survey.staff.services import LoginLocked, authenticate, check_second_factor, confirm_enrolment


def _locked_message(locked: LoginLocked) -> str:
    return _("For mange forkerte forsøg. Vent %(wait)s, og prøv igen.", wait=wait_in_words(locked.wait.total_seconds()))


def _login_again(message: str) -> str:
    """The login form again when the address's limit (RATELIMIT_LOGIN) refused the post: the e-mail kept (never the
    password), how long to wait next to the password and in the error summary."""
    form = LoginForm()
    form.password.errors = [message]
    return render_template("staff/login.html", form=form, errors=form.error_list(), has_errors=True)


def _second_factor_again(message: str) -> str:
    """The code form again under RATELIMIT_SECOND_FACTOR: the typed code kept, and how long to wait."""
    form = CodeForm()
    form.code.errors = [message]
    return render_template("staff/second_factor.html", form=form, errors=form.error_list(), has_errors=True)


@bp.route("/log-ind", methods=["GET", "POST"])
@form_again_when_limited(_login_again)
def login():
    """Log in, step one: e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        message = _("E-mail eller adgangskode er forkert")
        try:
            user = authenticate(form.email.data, form.password.data, request.remote_addr)
        except LoginLocked as locked:
            user, message = None, _locked_message(locked)
        db.session.commit()
        if user is not None:
            sessions.begin_half_login(user, safe_next(request.args.get("next")))
            return redirect(url_for(".second_factor" if user.has_second_factor else ".enrol"))
        form.password.errors.append(message)
    return render_form_page("staff/login.html", form)


@bp.route("/totrin", methods=["GET", "POST"])
@form_again_when_limited(_second_factor_again)
@half_login_required
def second_factor():
    """Log in, step two: the code from the authenticator app, or a recovery code."""
    user = g.pending_user
    if not user.has_second_factor:
        return redirect(url_for(".enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        message = _("Koden er forkert eller allerede brugt. Skriv den kode, appen viser nu.")
        try:
            method = check_second_factor(user, form.code.data, request.remote_addr)
        except LoginLocked as locked:
            method, message = None, _locked_message(locked)
        db.session.commit()
        if method is not None:
            next_path = sessions.complete_login(user)
            if method == "recovery_code":
                left = totp.unused_recovery_codes(user)
                flash(_("Du har brugt en reservekode. Du har %(n)d tilbage.", n=left), "info")
            return redirect(next_path)
        form.code.errors.append(message)
    return render_form_page("staff/second_factor.html", form)


@bp.route("/totrin/opsaet", methods=["GET", "POST"])
@half_login_required
def enrol():
    """Set up the second factor at the first login: scan the QR code (or type the key), confirm with a code."""
    user = g.pending_user
    if user.has_second_factor:
        return redirect(url_for(".second_factor"))
    secret = sessions.enrolment_secret(user, totp.new_secret)
    form = EnrolForm()
    if form.validate_on_submit():
        message = _("Koden passer ikke. Tjek at du har tilføjet nøglen i appen, og skriv den kode, den viser nu.")
        try:
            recovery_codes = confirm_enrolment(user, secret, form.code.data, request.remote_addr)
        except LoginLocked as locked:
            recovery_codes, message = None, _locked_message(locked)
        db.session.commit()
        if recovery_codes:
            next_path = sessions.complete_login(user)
            # shown once, straight from this POST: the codes are stored nowhere in clear, not even in the session
            return render_template("staff/recovery_codes.html", codes=recovery_codes, next_path=next_path)
        form.code.errors.append(message)
    else:
        db.session.commit()  # a new pending enrolment is kept for the next request
    uri = totp.provisioning_uri(secret, user.email)
    return render_form_page(
        "staff/enrol.html", form, qr=totp.qr_svg(uri, _("QR-kode til din app")), secret=totp.grouped_secret(secret)
    )


@bp.post("/log-ud")
@role_required(*roles.EVERYONE)
def logout():
    """End the session, on the server too: every copy of the session cookie stops working."""
    services.logout(current_user._get_current_object())
    db.session.commit()
    sessions.end_session()
    flash(_("Du er logget ud."), "info")
    return redirect(url_for(".login"))
