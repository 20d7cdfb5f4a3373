from django.urls import path

from responsibility import views

app_name = "responsibility"

urlpatterns = [
    path("villages/", views.VillageList.as_view(), name="village-list"),
    path("villages/new/", views.VillageCreate.as_view(), name="village-create"),
    path("villages/<int:pk>/", views.VillageDetail.as_view(), name="village-detail"),
    path("villages/<int:pk>/edit/", views.VillageUpdate.as_view(), name="village-edit"),
    path("units/", views.UnitList.as_view(), name="unit-list"),
    path("units/new/", views.UnitCreate.as_view(), name="unit-create"),
    path("units/<int:pk>/", views.UnitDetail.as_view(), name="unit-detail"),
    path("units/<int:pk>/edit/", views.UnitUpdate.as_view(), name="unit-edit"),
    path("cards/", views.card_list, name="card-list"),
    path("supervision-letters/", views.letter_list, name="letter-list"),
    path("supervision-letters/<int:pk>/", views.letter_detail, name="letter-detail"),
    path("supervision-letters/<int:pk>/send/", views.letter_send, name="letter-send"),
    path("supervision-letters/<int:pk>/pdf/", views.letter_pdf, name="letter-pdf"),
]
