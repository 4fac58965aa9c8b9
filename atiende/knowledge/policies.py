"""Who may read and who may write which articles. Scoping itself comes from
`atiende.core.scoping`; the rule of issue #6 is written here and nowhere else:

- staff of a department (its agents, team leads and managers, wherever they were
  granted it), admins of the article's organization and provider admins see every
  article of it, internal or public, in any state, and write them;
- the people of an organization (requesters, and staff for other departments) read the
  published public articles of the departments that serve it: its own departments and
  the provider's shared departments;
- nobody else sees anything (a 404 everywhere).
"""

from __future__ import annotations

from django.db.models import Q

from atiende.core.models import Department, User
from atiende.core.scoping import scope_of
from atiende.knowledge.models import Article, ArticleVisibility

NOTHING = Q(pk__in=[])


def staff_articles(actor: User) -> Q:
    """Articles the actor works on: every state, both visibilities."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return NOTHING
    if scope.everything:
        return Q()
    condition = NOTHING
    if scope.administered_organizations:
        condition |= Q(organization__in=sorted(scope.administered_organizations))
    if scope.staff_department_ids:
        condition |= Q(department__in=sorted(scope.staff_department_ids))
    return condition


def readable_articles(actor: User) -> Q:
    """Published public articles of the departments serving the actor's organizations."""
    scope = scope_of(actor)
    organizations = scope.visible_organizations
    if scope.user_id is None or not organizations:
        return NOTHING
    return Q(visibility=ArticleVisibility.PUBLIC, is_published=True) & (
        Q(organization__in=sorted(organizations))
        | Q(department__is_shared=True, organization__is_provider=True))


def visible_articles(actor: User) -> Q:
    """Every article the actor may see (the queryset form of the rules above)."""
    staff = staff_articles(actor)
    if staff == Q():
        # An empty Q drops out of an OR: a provider admin sees everything.
        return staff
    return staff | readable_articles(actor)


def works_on(actor: User, article: Article) -> bool:
    """The predicate form of `staff_articles`."""
    return can_write_in(actor, article.department)


def can_write_in(actor: User, department: Department) -> bool:
    """Staff of the department, admins of its organization and provider admins."""
    scope = scope_of(actor)
    return (scope.everything or department.organization_id in scope.administered_organizations
            or department.pk in scope.staff_department_ids)
