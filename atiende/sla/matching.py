"""Which SLA policy applies to a ticket, and why: pure functions, no database.

The rule (documented for administrators on the policies page):

1. A policy matches a ticket when every condition it sets holds: the same
   organization, and, where set, the same department, kind, service, category (the
   category itself, not its sub-categories), channel, a priority among its
   priorities, and a requester who is a member of its group of people (e.g. "VIP").
   A condition left empty matches anything.
2. Of the matching active policies, the one setting the most conditions wins (the most
   specific). The organization always counts as one, so a policy with no other
   condition is the organization's catch-all.
3. Two active policies that could match one ticket with as many conditions each are
   refused when saved (`overlap`), so step 2 never meets a tie, with one exception:
   two policies that differ only in naming two different requester groups are
   allowed, since most requesters belong to one group or none. For a requester in
   both groups that is a tie, and the older policy (lowest id) wins, as it does for
   any tie met anyway (rows written around the services).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

CONDITIONS = ("department_id", "kind", "service_id", "category_id", "ticket_channel", "priorities",
              "requester_group_id")


@dataclass(frozen=True)
class TicketFacts:
    """What matching looks at in a ticket."""

    organization_id: int
    department_id: int | None = None
    kind: str = ""
    service_id: int | None = None
    category_id: int | None = None
    ticket_channel: str = ""
    priority: int = 3
    requester_group_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class PolicyConditions:
    """What matching looks at in a policy: empty values match anything."""

    id: int | None
    organization_id: int
    department_id: int | None = None
    kind: str = ""
    service_id: int | None = None
    category_id: int | None = None
    ticket_channel: str = ""
    priorities: frozenset[int] = field(default_factory=frozenset)
    requester_group_id: int | None = None

    @classmethod
    def of(cls, policy) -> PolicyConditions:
        return cls(id=policy.pk, organization_id=policy.organization_id,
                   department_id=policy.department_id, kind=policy.kind or "",
                   service_id=policy.service_id, category_id=policy.category_id,
                   ticket_channel=policy.ticket_channel or "",
                   priorities=frozenset(policy.priorities or ()),
                   requester_group_id=policy.requester_group_id)

    def set_conditions(self) -> list[str]:
        return [name for name in CONDITIONS if getattr(self, name)]

    @property
    def specificity(self) -> int:
        return 1 + len(self.set_conditions())


def _holds(policy: PolicyConditions, facts: TicketFacts, name: str) -> bool:
    wanted = getattr(policy, name)
    if not wanted:
        return True
    if name == "priorities":
        return facts.priority in wanted
    if name == "requester_group_id":
        return wanted in facts.requester_group_ids
    return getattr(facts, name) == wanted


def match_policy(facts: TicketFacts, policies: Iterable[PolicyConditions]
                 ) -> tuple[PolicyConditions | None, list[str]]:
    """The policy that applies to `facts` and the conditions that chose it (names from
    CONDITIONS, with "organization" first); (None, []) when none matches."""
    best: PolicyConditions | None = None
    for policy in policies:
        if policy.organization_id != facts.organization_id:
            continue
        if not all(_holds(policy, facts, name) for name in CONDITIONS):
            continue
        if (best is None or policy.specificity > best.specificity
                or (policy.specificity == best.specificity
                    and (policy.id or 0) < (best.id or 0))):
            best = policy
    if best is None:
        return None, []
    return best, ["organization", *best.set_conditions()]


def _compatible(one: PolicyConditions, other: PolicyConditions, name: str) -> bool:
    first, second = getattr(one, name), getattr(other, name)
    if not first or not second:
        return True
    if name == "priorities":
        return bool(first & second)
    return first == second


def overlapping(policy: PolicyConditions, others: Sequence[PolicyConditions]
                ) -> PolicyConditions | None:
    """The first of `others` (of the same organization) that some ticket could match as
    specifically as `policy`, which would make the choice a tie; None when none."""
    for other in others:
        if other.id is not None and other.id == policy.id:
            continue
        if other.organization_id != policy.organization_id:
            continue
        if other.specificity != policy.specificity:
            continue
        if all(_compatible(policy, other, name) for name in CONDITIONS):
            return other
    return None
