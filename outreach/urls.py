from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path("outreach/", views.coverage, name="coverage"),
    path("outreach/calendar/", views.calendar_view, name="calendar"),
    path("outreach/export.xlsx", views.ledger_export, name="export"),
    path("outreach/carriers/", views.carrier_list, name="carrier-list"),
    path("outreach/carriers/new/", views.carrier_create, name="carrier-create"),
    path("outreach/carriers/<int:pk>/", views.carrier_detail, name="carrier-detail"),
    path("outreach/carriers/<int:pk>/edit/", views.carrier_edit, name="carrier-edit"),
    path("outreach/carriers/<int:pk>/visitors/", views.carrier_visitors, name="carrier-visitors"),
    path("outreach/carrier-types/", views.carrier_type_list, name="carrier-type-list"),
    path("outreach/carrier-types/new/", views.carrier_type_edit, name="carrier-type-create"),
    path("outreach/carrier-types/<int:pk>/edit/", views.carrier_type_edit, name="carrier-type-edit"),
    path("outreach/activities/", views.activity_list, name="activity-list"),
    path("outreach/activities/new/", views.activity_create, name="activity-create"),
    path("outreach/activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("outreach/activities/<int:pk>/edit/", views.activity_edit, name="activity-edit"),
    path("outreach/photos/<int:pk>/<str:size>/", views.photo, name="photo"),
]
