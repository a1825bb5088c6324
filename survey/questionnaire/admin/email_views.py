"""E-mail invitations of a round: an address list, a code for each by mail, reminders to unused codes."""

from __future__ import annotations
