"""Public pages of dialogue meetings: list, meeting, sign-up, confirmation, the personal manage page."""
