"""Staff pages of policies (the `policies_admin` blueprint): the list, one policy with its focus areas and goals,
and uploading a policy file through the loader of `flask policies load` (services.load_policy): the same problems,
line and field, and nothing stored when the file is rejected."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from survey.kernel import roles
from survey.kernel.extensions import db
from survey.kernel.uploads import DataFileForm, allow_upload_size, render_upload_page
from survey.policies import admin_bp
from survey.policies.models import Policy
from survey.policies.services import load_policy
from survey.staff.access import role_required
from survey.staff.audit import audit

#: who may use these pages
STAFF = roles.SURVEY_MANAGERS


@admin_bp.url_value_preprocessor
def _large_forms(endpoint, _values):
    # runs before the CSRF check reads the form (kernel.uploads.allow_upload_size)
    if endpoint == "policies_admin.upload":
        allow_upload_size()


@admin_bp.get("/")
@role_required(*STAFF)
def index():
    """Every policy: title, municipality, period and how many focus areas."""
    policies = db.session.scalars(select(Policy).order_by(Policy.municipality, Policy.title)).all()
    return render_template("policies_admin/index.html", policies=policies)


@admin_bp.get("/<int:policy_id>")
@role_required(*STAFF)
def show(policy_id: int):
    """One policy as its file has it: the focus areas with their codes, descriptions and goals."""
    policy = db.session.get(Policy, policy_id) or abort(404)
    return render_template("policies_admin/show.html", policy=policy)


@admin_bp.route("/upload", methods=["GET", "POST"])
@role_required(*STAFF)
def upload():
    """Upload a policy file: a new policy, or a new version of one (matched by its slug)."""
    form = DataFileForm()
    if loaded := form.load(load_policy):
        name, (policy, changes) = loaded
        if changes:
            audit("policy_uploaded", target=f"policy:{policy.slug}", changes=changes, file=name)
        db.session.commit()
        if changes:
            flash(_("Politikken er gemt. Ændret: %(changes)s.", changes=", ".join(changes)), "success")
        else:
            flash(_("Filen er den samme som den gemte politik. Intet er ændret."), "success")
        return redirect(url_for(".show", policy_id=policy.id))
    return render_upload_page("policies_admin/upload.html", form)
