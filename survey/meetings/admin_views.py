"""Staff pages for dialogue meetings."""

from flask import render_template

from survey.meetings import admin_bp
from survey.staff.access import role_required


@admin_bp.get("/")
@role_required("admin", "meeting_host")
def index():
    """Every meeting, upcoming first."""
    return render_template("meetings_admin/index.html")
