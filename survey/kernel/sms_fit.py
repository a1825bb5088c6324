"""An SMS in at most MAX_SEGMENTS segments, whatever staff called what it is about.

A template (templates/sms/*.txt) names its subject by values staff may make long: a meeting's `title` and `place`
(200 and 500 characters), a questionnaire's title, the municipality's name. When the text would take more
segments, the longest of them are cut (at a word, with '...'), as little as needed; the link, the code and the
time are never cut. Common typographic characters
outside the GSM-7 alphabet (– ’ “ …) are written with their GSM-7 look-alikes, since one of them would make the
whole text UCS-2 and halve what fits."""

from __future__ import annotations

from dataclasses import replace

from flask_babel import force_locale

from survey.kernel.outbox import Message
from survey.kernel.sms import render_text
from survey.kernel.sms_text import MAX_SEGMENTS, measure

#: typographic characters outside GSM-7 and their GSM-7 stand-ins ('…' itself is not GSM-7)
STAND_INS = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "…": "...", "\u00a0": " "}
)
ELLIPSIS = "..."


def plain(text: str) -> str:
    """`text` on one line, with GSM-7 stand-ins for typographic characters."""
    return " ".join(text.translate(STAND_INS).split())


def cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: whole when it fits, else cut at a word and ended with '...'."""
    if len(text) <= limit:
        return text
    room = max(limit - len(ELLIPSIS), 0)
    head = text[:room]
    if not text[room].isspace() and " " in head[room // 2 :]:
        head = head[: head.rindex(" ")]  # not in the middle of a word
    head = head.rstrip(" ,.-")
    return head + ELLIPSIS if head else ""


def segments(message: Message) -> int:
    with force_locale(message.language):
        return measure(render_text(message)).segments


def fitted(message: Message, cuttable: dict[str, str]) -> Message:
    """`message` with the `cuttable` values in its context, made plain (every other text value of the context
    too) and cut to one common length, the longest that lets the text fit in MAX_SEGMENTS."""
    values = {name: plain(value) for name, value in cuttable.items()}
    context = {name: plain(value) if isinstance(value, str) else value for name, value in message.context.items()}

    def limited(limit: int) -> Message:
        return replace(message, context={**context, **{name: cut(value, limit) for name, value in values.items()}})

    longest = max(len(value) for value in values.values())
    if segments(limited(longest)) <= MAX_SEGMENTS:
        return limited(longest)
    fits, too_long = 0, longest  # the longest limit that fits, by halving
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if segments(limited(middle)) <= MAX_SEGMENTS:
            fits = middle
        else:
            too_long = middle
    return limited(fits)
