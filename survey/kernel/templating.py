"""The app's Jinja environment: Flask's, with template globals whose lookups are cheap.

Jinja keeps each template's globals as a ChainMap over the environment's. On every `{% from … import … %}` (a page
renders dozens: each macro file, each question kind's template) it subtracts those globals' keys from the page's,
name by name, and on every new context it copies them into a dict; ChainMap answers each of those lookups through a
generator, or an exception for each name missing from the template's own (empty) layer. Answering them with plain
dict lookups keeps the same result and takes most of that CPU off each page."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import MutableMapping

from flask.templating import Environment as FlaskEnvironment


class TemplateGlobals(ChainMap):
    """A template's globals over the environment's, as Jinja's ChainMap, with lookups done without a generator
    or an exception per name."""

    def __contains__(self, key) -> bool:
        for mapping in self.maps:  # noqa: SIM110 (a loop, not any(): no generator per name is the point)
            if key in mapping:
                return True
        return False

    def __getitem__(self, key):
        for mapping in self.maps:
            if key in mapping:
                return mapping[key]
        return self.__missing__(key)

    def keys(self):
        """Every name (a set: Jinja subtracts it from another set)."""
        return set().union(*self.maps)


class Environment(FlaskEnvironment):
    def make_globals(self, d: MutableMapping | None) -> MutableMapping:
        return TemplateGlobals({} if d is None else d, self.globals)
