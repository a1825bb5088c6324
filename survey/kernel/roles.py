"""The staff roles, and which roles each kind of staff page admits: named once, used by views and templates.

A new role is added here and to the groups that admit it."""

from __future__ import annotations

from flask import Flask

#: every role a staff user can have (StaffUser.role)
ROLES = ("admin", "survey_manager", "meeting_host", "analyst")
#: any logged-in staff member: their own account, the staff front page
EVERYONE = ROLES
#: administration: users, the audit log, the mailbox, a person's data (privacy)
ADMINS = ("admin",)
#: questionnaires, rounds and invitations: running a survey
SURVEY_MANAGERS = ("admin", "survey_manager")
#: dialogue meetings' staff pages
MEETING_STAFF = ("admin", "meeting_host")
#: results, comments and downloads for the committee
RESULTS_READERS = ("admin", "analyst")


def init_app(app: Flask) -> None:
    """Templates show a link only to those it admits: `current_user.has_role(*roles.MEETING_STAFF)`."""
    import survey.kernel.roles as roles

    app.add_template_global(roles, "roles")
