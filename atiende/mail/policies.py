"""Who may configure mailboxes and review held mail: the organization's admins (and
provider admins). Nobody else learns that a mailbox or a held message exists."""

from __future__ import annotations

from django.db.models import Q

from atiende.core import policies as core_policies
from atiende.core.models import Organization, User
from atiende.core.scoping import scope_of


def can_manage_mailboxes(actor: User, organization: Organization | int) -> bool:
    return core_policies.can_administer(actor, organization)


def can_review_mail(actor: User, organization: Organization | int) -> bool:
    """Held and quarantined mail may hold anyone's words: only admins read it."""
    return core_policies.can_administer(actor, organization)


def visible_mailboxes(actor: User) -> Q:
    scope = scope_of(actor)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    return Q(organization_id__in=sorted(scope.administered_organizations))


def visible_messages(actor: User) -> Q:
    scope = scope_of(actor)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    return Q(mailbox__organization_id__in=sorted(scope.administered_organizations))
