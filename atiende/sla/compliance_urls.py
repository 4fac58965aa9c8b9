"""/sla/compliance/: the SLA compliance report, its CSV export and its drill-down."""

from django.urls import path

from atiende.sla import compliance_views

urlpatterns = [
    path("compliance/", compliance_views.compliance_page, name="sla_compliance"),
    path("compliance/export.csv", compliance_views.compliance_csv,
         name="sla_compliance_csv"),
    path("compliance/breached/", compliance_views.compliance_breached,
         name="sla_compliance_breached"),
]
