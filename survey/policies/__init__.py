"""Policies (politik, strategi): their focus areas and goals. A policy is data, loaded from YAML files."""

from flask import Blueprint

from survey.policies.changes import describe_change

#: staff pages: the policies, their focus areas and goals, and uploading a policy file
admin_bp = Blueprint("policies_admin", __name__, url_prefix="/personale/politikker")

from survey.policies import admin_views  # noqa: E402, F401
from survey.policies.contacts import footer_contacts  # noqa: E402

# for every page's footer (templates/components/contact.html); the blueprint is only the way to reach the app
admin_bp.add_app_template_global(footer_contacts)

__all__ = ["admin_bp", "describe_change"]
