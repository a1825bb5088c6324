"""Policies (politik, strategi): their focus areas and goals. A policy is data, loaded from YAML files."""

from flask import Blueprint

from survey.policies.changes import describe_change

#: staff pages: the policies, their focus areas and goals, and uploading a policy file
admin_bp = Blueprint("policies_admin", __name__, url_prefix="/personale/politikker")

from survey.policies import admin_views  # noqa: E402, F401

__all__ = ["admin_bp", "describe_change"]
