"""Staff users in the browser (admins): the list, creating a user (who chooses a password from a link sent by
mail), changing a role, deactivating and reactivating, resetting the second factor; and the public page that
the set-password link opens. The rules are the services' (survey.staff.services), the same as `flask staff …`."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.kernel import roles
from survey.kernel.extensions import db
from survey.kernel.rendering import render_form_page
from survey.staff import bp, password_links, services
from survey.staff.access import role_required
from survey.staff.models import StaffUser
from survey.staff.user_forms import ROLE_LABELS, NewUserForm, RoleForm, SetPasswordForm


def _user_or_404(user_id: int) -> StaffUser:
    return db.session.get(StaffUser, user_id) or abort(404)


def _to_user(user: StaffUser):
    return redirect(url_for("staff.user", user_id=user.id))


def _apply(user: StaffUser, change, *args, done: str):
    """Run a service change by the logged-in admin; a refused change is told on the user's page."""
    try:
        change(user, *args, by=current_user._get_current_object())
    except ValueError as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return _to_user(user)
    db.session.commit()
    flash(done, "success")
    return _to_user(user)


@bp.get("/brugere")
@role_required(*roles.ADMINS)
def users():
    """Every staff user: role, active or not, second factor set up or not, last login."""
    return render_template(
        "staff/users.html", users=services.staff_users(), last_logins=services.last_logins(), role_labels=ROLE_LABELS
    )


@bp.route("/brugere/ny", methods=["GET", "POST"])
@role_required(*roles.ADMINS)
def new_user():
    """Create a staff user; they get a single-use link by mail to choose their password."""
    form = NewUserForm()
    if form.validate_on_submit():
        by = current_user._get_current_object()
        user = services.invite_staff(form.email.data, form.role.data, form.name.data, by=by)
        db.session.commit()
        flash(_("%(email)s er oprettet og har fået en e-mail med et link til at vælge adgangskode.", email=user.email),
              "success")  # fmt: skip
        return _to_user(user)
    return render_form_page("staff/users_new.html", form)


@bp.get("/brugere/<int:user_id>")
@role_required(*roles.ADMINS)
def user(user_id: int):
    """One staff user, with what an admin can change."""
    found = _user_or_404(user_id)
    form = RoleForm(data={"role": found.role})
    return render_template(
        "staff/users_user.html",
        user=found,
        form=form,
        role_labels=ROLE_LABELS,
        last_login=services.last_logins().get(found.email),
        is_me=found.id == current_user.id,
    )


@bp.post("/brugere/<int:user_id>/rolle")
@role_required(*roles.ADMINS)
def change_role(user_id: int):
    """Give the user another role."""
    found = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Vælg en rolle på listen."), "error")
        return _to_user(found)
    done = _("%(email)s har nu rollen %(role)s.", email=found.email, role=ROLE_LABELS[form.role.data])
    return _apply(found, services.change_role, form.role.data, done=done)


@bp.route("/brugere/<int:user_id>/deaktiver", methods=["GET", "POST"])
@role_required(*roles.ADMINS)
def deactivate(user_id: int):
    """Deactivate after a confirmation page: the user cannot log in, and their sessions end at once."""
    found = _user_or_404(user_id)
    if request.method == "POST":
        return _apply(found, services.deactivate, done=_("%(email)s er deaktiveret.", email=found.email))
    return render_template("staff/users_confirm.html", user=found, action="deactivate")


@bp.post("/brugere/<int:user_id>/aktiver")
@role_required(*roles.ADMINS)
def reactivate(user_id: int):
    """Let a deactivated user log in again."""
    found = _user_or_404(user_id)
    return _apply(found, services.reactivate, done=_("%(email)s kan logge ind igen.", email=found.email))


@bp.route("/brugere/<int:user_id>/nulstil-totrin", methods=["GET", "POST"])
@role_required(*roles.ADMINS)
def reset_second_factor(user_id: int):
    """Remove the user's second factor after a confirmation page (a lost phone); they set it up again at login."""
    found = _user_or_404(user_id)
    if request.method == "POST":
        done = _("Totrinsbekræftelsen for %(email)s er nulstillet. Den sættes op igen ved næste login.",
                 email=found.email)  # fmt: skip
        return _apply(found, services.reset_second_factor, done=done)
    return render_template("staff/users_confirm.html", user=found, action="reset_second_factor")


@bp.post("/brugere/<int:user_id>/send-link")
@role_required(*roles.ADMINS)
def resend_link(user_id: int):
    """Mail a new set-password link to a user who has not chosen a password; earlier links stop working."""
    found = _user_or_404(user_id)
    done = _("Et nyt link er sendt til %(email)s. Tidligere links virker ikke længere.", email=found.email)
    return _apply(found, services.send_password_link, done=done)


#: links that once worked (told so: the person should ask for a new one or log in); others are simply unknown
GONE = ("expired", "used", "replaced")


@bp.route("/adgangskode/vaelg/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Public (the link in the mail): a new staff user chooses their password, once; then they log in."""
    try:
        user = password_links.user_for_token(token)
    except password_links.LinkInvalid as invalid:
        html = render_template("staff/set_password_invalid.html", reason=invalid.reason)
        return html, 410 if invalid.reason in GONE else 404
    form = SetPasswordForm(user.email)
    if form.validate_on_submit():
        services.set_password_from_link(user, form.new.data)
        db.session.commit()
        flash(_("Din adgangskode er gemt. Log ind med den, og sæt totrinsbekræftelse op."), "success")
        return redirect(url_for("staff.login"))
    return render_form_page("staff/set_password.html", form, user=user)
