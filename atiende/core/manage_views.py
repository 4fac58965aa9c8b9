"""Organization admin pages: people, departments and teams of one organization.

Everything here is reached through `_administered`, so an organization the actor does
not administer answers 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atiende.core import policies, selectors, services
from atiende.core.forms import (
    DepartmentEditForm,
    DepartmentForm,
    GroupForm,
    GroupMemberForm,
    MembershipForm,
    PersonCreateForm,
    PersonEditForm,
    TeamCreateForm,
    TeamForm,
    TeamMemberForm,
    grantable_roles,
)
from atiende.core.models import Organization, Role, User
from atiende.core.scoping import scope_of
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import Conflict, NotFound, ValidationFailed

PAGE_SIZE = 50


def administered_organization(
    request, slug: str, allowed: Callable[[User, Organization], bool] = policies.can_administer,
) -> Organization:
    """The organization of a /manage/<slug>/ page, when the actor may administer what the
    page shows (`allowed`); else NotFound, as for an organization they cannot see. Every
    app's management pages start here."""
    organization = selectors.organization_get_by_slug(actor=request.user, slug=slug)
    if not allowed(request.user, organization):
        raise NotFound()
    return organization


def _department_choices(request, organization: Organization) -> list[tuple[str, str]]:
    everything = scope_of(request.user).everything
    return [
        (str(d.pk), d.name if d.organization_id == organization.pk
         else _("%(name)s (shared by the provider)") % {"name": d.name})
        for d in selectors.department_list(actor=request.user, organization_id=organization.pk)
        if d.is_active and (d.organization_id == organization.pk or everything)
    ]


def _department(request, value: str):
    if not value:
        return None
    return selectors.department_get(actor=request.user, department_id=int(value))


def _person(request, organization: Organization, user_id: int) -> User:
    """A person of the organization: at home there, holding a role there, or staff of
    the provider (who may be given a role in any client). Anyone else is NotFound, so
    one organization's pages never show or change another organization's people."""
    person = selectors.user_with_memberships(actor=request.user, user_id=user_id)
    belongs = (
        person.organization_id == organization.pk
        or any(m.organization_id == organization.pk for m in person.visible_memberships)
        or (person.organization is not None and person.organization.is_provider)
    )
    if not belongs:
        raise NotFound()
    return person


def _team(request, organization: Organization, team_id: int):
    """A team of a department that serves the organization, or NotFound."""
    team = selectors.team_get(actor=request.user, team_id=team_id)
    department = team.department
    shared = (department.is_shared and department.organization.is_provider
              and scope_of(request.user).everything)
    if department.organization_id != organization.pk and not shared:
        raise NotFound()
    return team


def _page(request, organization: Organization, template: str, context: dict, tab: str):
    context.update({"organization": organization, "tab": tab})
    return render(request, template, context)


@login_required
def manage_index(request):
    organizations = selectors.organization_list(actor=request.user)
    administered = [o for o in organizations if policies.can_administer(request.user, o)]
    if len(administered) == 1:
        return redirect("manage_people", slug=administered[0].slug)
    if not administered:
        return render(request, "errors/404.html", status=404)
    return render(request, "manage/index.html", {"organizations": administered})


@login_required
@handles_errors
def manage_people(request, slug: str):
    organization = administered_organization(request, slug)
    search = request.GET.get("q", "").strip()[:100]
    people = selectors.users_with_memberships(
        selectors.user_list(actor=request.user, organization_id=organization.pk, search=search),
        actor=request.user,
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(request, organization, "manage/people.html",
                 {"page": page, "search": search}, "people")


@login_required
@handles_errors
def manage_person_new(request, slug: str):
    organization = administered_organization(request, slug)
    roles = grantable_roles(provider=organization.is_provider,
                            everything=scope_of(request.user).everything)
    form = PersonCreateForm(
        posted(request), roles=roles,
        departments=_department_choices(request, organization),
        initial={"language": organization.language, "time_zone": organization.time_zone,
                 "role": Role.REQUESTER, "send_invitation": True},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.user_create(
                actor=request.user, organization=organization, email=data["email"],
                display_name=data["display_name"], phone=data["phone"],
                language=data["language"], time_zone=data["time_zone"], role=data["role"],
                department=_department(request, data["department"]),
                invite=data["send_invitation"],
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": person})
            return redirect("manage_person", slug=slug, user_id=person.pk)
    return _page(request, organization, "manage/person_new.html", {"form": form}, "people")


@login_required
@handles_errors
def manage_person(request, slug: str, user_id: int):
    organization = administered_organization(request, slug)
    person = _person(request, organization, user_id)
    form = PersonEditForm(posted(request), initial={
        "display_name": person.display_name, "email": person.email, "phone": person.phone,
        "language": person.language, "time_zone": person.time_zone,
        "is_active": person.is_active,
        "manager": person.manager.email if person.manager else "",
    })
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        manager_email = changes.pop("manager")
        try:
            changes["manager_id"] = selectors.person_by_email(
                actor=request.user, organization_id=person.organization_id or organization.pk,
                email=manager_email).pk if manager_email else None
            services.user_update(actor=request.user, user=person, changes=changes)
        except NotFound as error:
            form.add_error("manager", error.message)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_person", slug=slug, user_id=person.pk)
    return _page(request, organization, "manage/person.html", {
        "person": person, "form": form,
        "can_edit": policies.can_manage_user(request.user, person),
        "membership_form": _membership_form(request, organization),
    }, "people")


def _membership_form(request, organization: Organization, data=None) -> MembershipForm:
    roles = grantable_roles(provider=organization.is_provider,
                            everything=scope_of(request.user).everything)
    return MembershipForm(data, roles=roles,
                          departments=_department_choices(request, organization))


@login_required
@require_POST
@handles_errors
def manage_membership_add(request, slug: str, user_id: int):
    organization = administered_organization(request, slug)
    person = _person(request, organization, user_id)
    form = _membership_form(request, organization, request.POST)
    if form.is_valid():
        try:
            services.membership_grant(
                actor=request.user, user=person, organization=organization,
                role=form.cleaned_data["role"],
                department=_department(request, form.cleaned_data["department"]),
            )
        except ValidationFailed as error:
            messages.error(request, " ".join(error.fields.values()) or error.message)
        except Conflict as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The role has been granted."))
    else:
        _form_errors_as_message(request, form)
    return redirect("manage_person", slug=slug, user_id=person.pk)


def _form_errors_as_message(request, form) -> None:
    """A form posted from a page it redirects back to: its errors go on top of the page."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@login_required
@require_POST
@handles_errors
def manage_membership_revoke(request, slug: str, user_id: int, membership_id: int):
    organization = administered_organization(request, slug)
    person = _person(request, organization, user_id)
    membership = selectors.membership_get(actor=request.user, user=person,
                                          membership_id=membership_id)
    if membership.organization_id != organization.pk:
        raise NotFound()
    try:
        services.membership_revoke(actor=request.user, membership=membership)
    except ValidationFailed as error:
        messages.error(request, " ".join(error.fields.values()) or error.message)
    else:
        messages.success(request, _("The role has been removed."))
    return redirect("manage_person", slug=slug, user_id=person.pk)


@login_required
@handles_errors
def manage_departments(request, slug: str):
    organization = administered_organization(request, slug)
    form = DepartmentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.department_create(actor=request.user, organization=organization,
                                       **form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The department has been created."))
            return redirect("manage_departments", slug=slug)
    departments = selectors.department_list(
        actor=request.user, organization_id=organization.pk
    ).filter(organization=organization)
    return _page(request, organization, "manage/departments.html",
                 {"departments": departments, "form": form}, "departments")


@login_required
@handles_errors
def manage_department(request, slug: str, department_id: int):
    organization = administered_organization(request, slug)
    department = selectors.department_get(actor=request.user, department_id=department_id)
    if department.organization_id != organization.pk:
        raise NotFound()
    form = DepartmentEditForm(posted(request), initial={
        "name": department.name, "function": department.function,
        "requesters_share_tickets": department.requesters_share_tickets})
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data, is_active=bool(request.POST.get("is_active")))
        try:
            services.department_update(actor=request.user, department=department,
                                       changes=changes)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_departments", slug=slug)
    agents = selectors.department_agents(actor=request.user, department=department)
    return _page(request, organization, "manage/department.html",
                 {"department": department, "form": form, "agents": agents}, "departments")


@login_required
@handles_errors
def manage_teams(request, slug: str):
    organization = administered_organization(request, slug)
    departments = _department_choices(request, organization)
    form = TeamCreateForm(posted(request), departments=departments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = services.team_create(
                actor=request.user, department=_department(request, data["department"]),
                name=data["name"], description=data["description"],
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The team has been created."))
            return redirect("manage_team", slug=slug, team_id=team.pk)
    teams = selectors.team_list(actor=request.user).filter(
        department_id__in=[int(value) for value, _label in departments]
    ).prefetch_related("members")
    return _page(request, organization, "manage/teams.html",
                 {"teams": teams, "form": form}, "teams")


@login_required
@handles_errors
def manage_team(request, slug: str, team_id: int):
    organization = administered_organization(request, slug)
    team = _team(request, organization, team_id)
    form = TeamForm(posted(request),
                    initial={"name": team.name, "description": team.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(actor=request.user, team=team, changes=form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_team", slug=slug, team_id=team.pk)
    return _page(request, organization, "manage/team.html", {
        "team": team, "form": form,
        "member_form": _member_form(request, team),
    }, "teams")


def _member_form(request, team, data=None) -> TeamMemberForm:
    candidates = selectors.team_candidates(actor=request.user, team=team)
    return TeamMemberForm(data, candidates=[(str(u.pk), u.display_name) for u in candidates])


@login_required
@require_POST
@handles_errors
def manage_team_member_add(request, slug: str, team_id: int):
    team = _team(request, administered_organization(request, slug), team_id)
    form = _member_form(request, team, request.POST)
    if not form.is_valid():
        # Only the department's agents not yet in the team are offered; anyone else
        # (another department, a requester, a member already) is refused here, with
        # the service's words for the same rule.
        messages.error(request, _("Only agents of the department “%(department)s” can join "
                                  "this team.") % {"department": team.department.name})
    else:
        person = selectors.user_get(actor=request.user, user_id=int(form.cleaned_data["user"]))
        try:
            services.team_member_add(actor=request.user, team=team, user=person)
        except ValidationFailed as error:
            messages.error(request, " ".join(error.fields.values()))
        else:
            messages.success(request, _("%(name)s has joined the team.") % {"name": person})
    return redirect("manage_team", slug=slug, team_id=team.pk)


@login_required
@require_POST
@handles_errors
def manage_team_member_remove(request, slug: str, team_id: int, user_id: int):
    team = _team(request, administered_organization(request, slug), team_id)
    person = selectors.user_get(actor=request.user, user_id=user_id)
    services.team_member_remove(actor=request.user, team=team, user=person)
    messages.success(request, _("%(name)s has left the team.") % {"name": person})
    return redirect("manage_team", slug=slug, team_id=team.pk)


@login_required
@handles_errors
def manage_activity(request, slug: str):
    organization = administered_organization(request, slug)
    events = selectors.audit_list(actor=request.user, organization_id=organization.pk)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(request, organization, "manage/activity.html", {"page": page}, "activity")


@login_required
@handles_errors
def manage_groups(request, slug: str):
    organization = administered_organization(request, slug)
    form = GroupForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(actor=request.user, organization=organization,
                                          **form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The group has been created."))
            return redirect("manage_group", slug=slug, group_id=group.pk)
    groups = selectors.group_list(actor=request.user, organization_id=organization.pk
                                  ).annotate(member_count=Count("members"))
    return _page(request, organization, "manage/groups.html",
                 {"groups": groups, "form": form}, "groups")


@login_required
@handles_errors
def manage_group(request, slug: str, group_id: int):
    organization = administered_organization(request, slug)
    group = selectors.group_get(actor=request.user, organization_id=organization.pk,
                                group_id=group_id)
    form = GroupForm(posted(request), initial={"name": group.name,
                                               "description": group.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(actor=request.user, group=group, changes=form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_group", slug=slug, group_id=group.pk)
    return _page(request, organization, "manage/group.html", {
        "group": group, "form": form, "member_form": GroupMemberForm(),
    }, "groups")


@login_required
@require_POST
@handles_errors
def manage_group_member_add(request, slug: str, group_id: int):
    organization = administered_organization(request, slug)
    group = selectors.group_get(actor=request.user, organization_id=organization.pk,
                                group_id=group_id)
    form = GroupMemberForm(request.POST)
    try:
        if not form.is_valid():
            raise NotFound(_("Enter the e-mail address of a person of this organization."))
        person = selectors.person_by_email(actor=request.user, organization_id=organization.pk,
                                           email=form.cleaned_data["email"])
        services.group_member_add(actor=request.user, group=group, user=person)
    except NotFound as error:
        messages.error(request, error.message)
    except ValidationFailed as error:
        messages.error(request, " ".join(error.fields.values()))
    else:
        messages.success(request, _("%(name)s has joined the group.") % {"name": person})
    return redirect("manage_group", slug=slug, group_id=group.pk)


@login_required
@require_POST
@handles_errors
def manage_group_member_remove(request, slug: str, group_id: int, user_id: int):
    organization = administered_organization(request, slug)
    group = selectors.group_get(actor=request.user, organization_id=organization.pk,
                                group_id=group_id)
    person = selectors.user_get(actor=request.user, user_id=user_id)
    services.group_member_remove(actor=request.user, group=group, user=person)
    messages.success(request, _("%(name)s has left the group.") % {"name": person})
    return redirect("manage_group", slug=slug, group_id=group.pk)


@login_required
@require_POST
@handles_errors
def manage_group_delete(request, slug: str, group_id: int):
    organization = administered_organization(request, slug)
    group = selectors.group_get(actor=request.user, organization_id=organization.pk,
                                group_id=group_id)
    services.group_delete(actor=request.user, group=group)
    messages.success(request, _("The group has been deleted."))
    return redirect("manage_groups", slug=slug)
