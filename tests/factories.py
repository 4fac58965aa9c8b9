"""factory_boy factories for tenancy and people."""

from __future__ import annotations

import factory

from atiende.core.models import (
    Department,
    DepartmentFunction,
    Membership,
    Organization,
    Role,
    Team,
    User,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organización {n}")
    slug = factory.Sequence(lambda n: f"organizacion-{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Departamento {n}")
    slug = factory.Sequence(lambda n: f"departamento-{n}")
    function = DepartmentFunction.IT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Persona {n}")
    organization = factory.SubFactory(OrganizationFactory)
    password = factory.django.Password("clave-segura-123")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.LazyAttribute(lambda m: m.user.organization)
    role = Role.REQUESTER


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Equipo {n}")
