"""Invitation letters of a round: codes, one print-ready PDF of letters, a CSV for mail merge."""

from __future__ import annotations
