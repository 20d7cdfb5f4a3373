from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    path("structure/", views.structure, name="structure"),
    path("sections/", views.SectionList.as_view(), name="section-list"),
    path("sections/new/", views.SectionCreate.as_view(), name="section-create"),
    path("sections/<int:pk>/", views.SectionDetail.as_view(), name="section-detail"),
    path("sections/<int:pk>/edit/", views.SectionUpdate.as_view(), name="section-edit"),
    path("zones/", views.ZoneList.as_view(), name="zone-list"),
    path("zones/new/", views.ZoneCreate.as_view(), name="zone-create"),
    path("zones/<int:pk>/", views.ZoneDetail.as_view(), name="zone-detail"),
    path("zones/<int:pk>/edit/", views.ZoneUpdate.as_view(), name="zone-edit"),
    path("grids/", views.GridList.as_view(), name="grid-list"),
    path("grids/new/", views.GridCreate.as_view(), name="grid-create"),
    path("grids/<int:pk>/", views.GridDetail.as_view(), name="grid-detail"),
    path("grids/<int:pk>/edit/", views.GridUpdate.as_view(), name="grid-edit"),
    path("teams/", views.TeamList.as_view(), name="team-list"),
    path("teams/new/", views.team_edit, name="team-create"),
    path("teams/<int:pk>/", views.TeamDetail.as_view(), name="team-detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team-edit"),
]
