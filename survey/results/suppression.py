"""No result for fewer than the minimum number of respondents, anywhere, and nothing that lets one be worked out.

The published figures are modelled as cells (a group of respondents: a focus area in a round, one of its
questions, one background group, an answer option) and the exact additive relations between them: a published
total whose figures are the sums of its parts' figures (counts, "Ved ikke" counts, and the n-weighted sums behind
means and shares). A hidden cell that is the only hidden member of such a relation could be worked out by
subtraction, so other cells are hidden too until no relation has exactly one hidden member.

Only exact relations count. The focus areas of a round overlap (one respondent answers about several of them,
some about none), so the round's number of responses is in general not the sum of their n and tells nothing about
a hidden area; only where some of the areas' n do add up to it exactly (each respondent answered about exactly one
of them: single-choice routing and no question every respondent is asked) is that a relation (`partitions`).
Every output (screens, CSV, XLSX, JSON, the bilag) shows the cells of one `Published` model, built in
report.policy_report."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from itertools import combinations

from flask import current_app

#: why a cell is hidden (hidden_reasons): fewer respondents than the minimum; all alike and fewer than
#: UNIFORM_MINIMUM; hidden so that another hidden cell cannot be worked out by subtraction (secondary).
#: What an output says for each is results.labels.hidden_label.
FEW, ALIKE, LINKED = "few", "alike", "linked"
#: the floor the configuration can never go below
ABSOLUTE_MINIMUM = 5
#: a group in which every respondent has the same value (their mean, or their share of answers 4 or 5) tells each
#: member's answer; it is shown only from this many respondents (or the minimum group, if that is higher)
UNIFORM_MINIMUM = 10
#: the most overlapping parts whose every combination is tried as a partition of their total (2^12 sums)
PARTITION_LIMIT = 12
#: below this n·Σx² − (Σx)² (relative to n·Σx²) the values of a group count as all the same: float rounding only
_NO_SPREAD = 1e-12


def minimum_group() -> int:
    """The configured minimum group size, never below 5."""
    return max(ABSOLUTE_MINIMUM, int(current_app.config.get("RESULTS_MIN_GROUP", ABSOLUTE_MINIMUM)))


def no_spread(n: int, total: float, total_sq: float) -> bool:
    """True when the n per-respondent values with sum `total` and sum of squares `total_sq` are all equal
    (n·Σx² − (Σx)² is the sum of the squared differences of all pairs, so it is 0 exactly then)."""
    if n <= 1:
        return True
    scale = n * total_sq
    return n * total_sq - total * total <= _NO_SPREAD * max(1.0, scale)


@dataclass(frozen=True)
class Size:
    """What decides whether a cell may be shown on its own: its respondents, and whether they all have the same
    value of a published measure."""

    n: int
    uniform: bool = False

    def too_small(self, minimum: int) -> bool:
        """Primary suppression: fewer than the minimum, or all alike and fewer than UNIFORM_MINIMUM."""
        return self.primary(minimum) is not None

    def primary(self, minimum: int) -> str | None:
        """Why the cell is hidden on its own (FEW before ALIKE: the smaller claim that is true), None if it is not."""
        if self.n < minimum:
            return FEW
        if self.uniform and self.n < max(UNIFORM_MINIMUM, minimum):
            return ALIKE
        return None


@dataclass(frozen=True)
class Relation:
    """A published total and the published parts whose figures add up to its figures exactly."""

    total: Hashable
    parts: tuple[Hashable, ...]

    @property
    def members(self) -> tuple[Hashable, ...]:
        return (self.total, *self.parts)


@dataclass
class Published:
    """The cells an output may show and the exact additive relations between them.

    Add every cell that holds anything (also one that is never shown as such, e.g. a group with only "Ved ikke"
    answers: its count still adds into its total) with `cell`, each total with its parts with `relation`, then ask
    `hidden`. Cells with nothing in them (no respondent, no answer) need not be added: they disclose no one."""

    sizes: dict[Hashable, Size] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)

    def cell(self, key: Hashable, n: int, uniform: bool = False) -> None:
        self.sizes[key] = Size(int(n), uniform)

    def relation(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        """total = Σ parts; cells not added (empty ones) are left out of it."""
        parts = tuple(part for part in parts if part in self.sizes)
        if total in self.sizes and parts:
            self.relations.append(Relation(total, parts))

    def partitions(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        """A relation for every set of at least two of the parts whose n add up to the total's n exactly: counts
        that are only sometimes a sum (overlapping groups such as focus areas) are a relation where they are one.
        With more than PARTITION_LIMIT parts only all of them together are tried."""
        if total not in self.sizes:
            return
        parts = [part for part in parts if part in self.sizes and self.sizes[part].n > 0]
        sizes = range(2, len(parts) + 1) if len(parts) <= PARTITION_LIMIT else [len(parts)]
        for size in sizes:
            for chosen in combinations(parts, size):
                if sum(self.sizes[part].n for part in chosen) == self.sizes[total].n:
                    self.relations.append(Relation(total, chosen))

    def hidden(self, minimum: int) -> set[Hashable]:
        return hidden_cells(self.sizes, self.relations, minimum)

    def reasons(self, minimum: int) -> dict[Hashable, str]:
        """The hidden cells, each with why (FEW, ALIKE or LINKED)."""
        return hidden_reasons(self.sizes, self.relations, minimum)


def hidden_cells(sizes: dict[Hashable, Size], relations: Iterable[Relation], minimum: int) -> set[Hashable]:
    """The cells to hide (see hidden_reasons)."""
    return set(hidden_reasons(sizes, relations, minimum))


def hidden_reasons(sizes: dict[Hashable, Size], relations: Iterable[Relation], minimum: int) -> dict[Hashable, str]:
    """The cells to hide and why: every cell too small on its own (primary: FEW or ALIKE), then, until nothing
    changes, for each relation with exactly one hidden member (total or part) the smallest shown part — or, when no
    part is shown, the total — is hidden too (secondary: LINKED), so what is known of the hidden members is only
    their sum. A LINKED cell's reason names no other cell: which one it protects is not for an output to say."""
    relations = [relation for relation in relations if relation.parts]
    order = {key: number for number, key in enumerate(sizes)}
    hidden = {key: reason for key, size in sizes.items() if (reason := size.primary(minimum))}
    changed = True
    while changed:
        changed = False
        for relation in relations:
            if sum(member in hidden for member in relation.members) != 1:
                continue
            shown = [part for part in relation.parts if part not in hidden] or [relation.total]
            hidden[min(shown, key=lambda key: (sizes[key].n, order[key]))] = LINKED
            changed = True
    return hidden


def disclosed(hidden: set[Hashable], relations: Iterable[Relation]) -> list[Relation]:
    """The relations that would give a hidden member away (exactly one of its members hidden): empty after
    `hidden_cells`."""
    return [r for r in relations if sum(member in hidden for member in r.members) == 1]
