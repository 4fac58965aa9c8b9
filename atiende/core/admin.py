"""The provider's raw data admin (`/data-admin/`), for provider admins only.

Organization admins use their own pages (`/manage/`); this admin is the provider's
escape hatch for data the product pages do not cover yet.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from atiende.core.models import (
    ApiToken,
    AuditEvent,
    Department,
    Membership,
    Organization,
    PersonGroup,
    Team,
    User,
)
from atiende.core.scoping import scope_of


class ProviderOnly:
    def has_module_permission(self, request) -> bool:
        return scope_of(request.user).everything

    def has_view_permission(self, request, obj=None) -> bool:
        return scope_of(request.user).everything

    def has_add_permission(self, request) -> bool:
        return scope_of(request.user).everything

    def has_change_permission(self, request, obj=None) -> bool:
        return scope_of(request.user).everything

    def has_delete_permission(self, request, obj=None) -> bool:
        return scope_of(request.user).everything


@admin.register(Organization)
class OrganizationAdmin(ProviderOnly, admin.ModelAdmin):
    list_display = ["name", "slug", "is_provider", "language", "time_zone", "is_active"]
    list_filter = ["is_provider", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Department)
class DepartmentAdmin(ProviderOnly, admin.ModelAdmin):
    list_display = ["name", "organization", "function", "is_shared", "is_active"]
    list_filter = ["function", "is_shared", "organization"]
    search_fields = ["name"]
    list_select_related = ["organization"]


@admin.register(Team)
class TeamAdmin(ProviderOnly, admin.ModelAdmin):
    list_display = ["name", "department", "lead", "is_active"]
    list_filter = ["department__organization"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    list_select_related = ["department", "lead"]


@admin.register(PersonGroup)
class PersonGroupAdmin(ProviderOnly, admin.ModelAdmin):
    list_display = ["name", "organization"]
    list_filter = ["organization"]
    search_fields = ["name"]
    autocomplete_fields = ["members"]
    list_select_related = ["organization"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization", "department"]


class PersonCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "display_name", "organization"]


class PersonChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(ProviderOnly, DjangoUserAdmin):
    add_form = PersonCreationForm
    form = PersonChangeForm
    ordering = ["display_name"]
    list_display = ["display_name", "email", "organization", "language", "is_active"]
    list_filter = ["is_active", "organization", "language"]
    search_fields = ["display_name", "email"]
    list_select_related = ["organization"]
    inlines = [MembershipInline]
    autocomplete_fields = ["manager"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["display_name", "organization", "manager", "phone",
                                  "language", "time_zone"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "organization",
                                                 "usable_password", "password1", "password2"]}),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(ProviderOnly, admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "hint", "created_at", "last_used_at", "expires_at"]
    search_fields = ["name", "user__email"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are created by their owner, shown once


@admin.register(AuditEvent)
class AuditEventAdmin(ProviderOnly, admin.ModelAdmin):
    list_display = ["created_at", "actor", "organization", "action", "target_label", "channel"]
    list_filter = ["action", "channel", "organization"]
    search_fields = ["target_label", "actor__email"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
