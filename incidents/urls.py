from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/new/", views.incident_edit, name="incident-create"),
    path("incidents/export.xlsx", views.incident_export, name="incident-export"),
    path("incidents/import/", views.incident_import, name="incident-import"),
    path("incidents/import/template.xlsx", views.incident_import_template, name="incident-import-template"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident-edit"),
]
