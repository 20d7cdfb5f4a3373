from django.urls import path

from inspections.views import findings, inspections, ledger, photos, sites, structure

app_name = "inspections"

urlpatterns = [
    # the 1+4+4 structure
    path("structure/", structure.structure, name="structure"),
    path("sections/", structure.SectionList.as_view(), name="section-list"),
    path("sections/new/", structure.SectionCreate.as_view(), name="section-create"),
    path("sections/<int:pk>/", structure.SectionDetail.as_view(), name="section-detail"),
    path("sections/<int:pk>/edit/", structure.SectionUpdate.as_view(), name="section-edit"),
    path("zones/", structure.ZoneList.as_view(), name="zone-list"),
    path("zones/new/", structure.ZoneCreate.as_view(), name="zone-create"),
    path("zones/<int:pk>/", structure.ZoneDetail.as_view(), name="zone-detail"),
    path("zones/<int:pk>/edit/", structure.ZoneUpdate.as_view(), name="zone-edit"),
    path("grids/", structure.GridList.as_view(), name="grid-list"),
    path("grids/new/", structure.GridCreate.as_view(), name="grid-create"),
    path("grids/<int:pk>/", structure.GridDetail.as_view(), name="grid-detail"),
    path("grids/<int:pk>/edit/", structure.GridUpdate.as_view(), name="grid-edit"),
    path("teams/", structure.TeamList.as_view(), name="team-list"),
    path("teams/new/", structure.team_edit, name="team-create"),
    path("teams/<int:pk>/", structure.TeamDetail.as_view(), name="team-detail"),
    path("teams/<int:pk>/edit/", structure.team_edit, name="team-edit"),
    # sites
    path("sites/", sites.site_list, name="site-list"),
    path("sites/new/", sites.site_create, name="site-create"),
    path("sites/search/", sites.site_search, name="site-search"),
    path("sites/import/", sites.site_import, name="site-import"),
    path("sites/import/template.xlsx", sites.site_import_template, name="site-import-template"),
    path("sites/<int:pk>/", sites.site_detail, name="site-detail"),
    path("sites/<int:pk>/edit/", sites.site_edit, name="site-edit"),
    # inspections, logged on a phone
    path("inspections/", inspections.inspection_list, name="inspection-list"),
    path("inspections/new/", inspections.inspection_create, name="inspection-create"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection-detail"),
    # findings: the ledger and each finding's life
    path("findings/", ledger.finding_list, name="finding-list"),
    path("findings/export.xlsx", ledger.finding_export, name="finding-export"),
    path("findings/<int:pk>/", findings.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/edit/", findings.finding_edit, name="finding-edit"),
    path("findings/<int:pk>/<str:move>/", findings.finding_action, name="finding-action"),
    # photos, served only to those who may see their finding or inspection
    path("photos/<int:pk>/<str:size>/", photos.photo, name="photo"),
]
