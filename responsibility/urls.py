from django.urls import path

from responsibility import letter_views, views

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
    # responsibility letters (安全生产责任书)
    path("letter-templates/", letter_views.template_list, name="template-list"),
    path("letter-templates/new/", letter_views.template_edit, name="template-create"),
    path("letter-templates/<int:pk>/", letter_views.template_detail, name="template-detail"),
    path("letter-templates/<int:pk>/edit/", letter_views.template_edit, name="template-edit"),
    path("letter-templates/<int:pk>/copy/", letter_views.template_copy, name="template-copy"),
    path("responsibility-letters/", letter_views.rletter_progress, name="rletter-progress"),
    path("responsibility-letters/ledger.xlsx", letter_views.rletter_ledger, name="rletter-ledger"),
    path("responsibility-letters/issue/", letter_views.letters_issue_view, name="rletter-issue"),
    path("responsibility-letters/archive/", letter_views.letters_archive_view, name="rletter-archive"),
    path("responsibility-letters/mine/", letter_views.rletter_mine, name="rletter-mine"),
    path("responsibility-letters/<int:pk>/", letter_views.rletter_detail, name="rletter-detail"),
    path("responsibility-letters/<int:pk>/sign/", letter_views.rletter_sign, name="rletter-sign"),
    path("responsibility-letters/<int:pk>/signature/", letter_views.rletter_signature, name="rletter-signature"),
    path("responsibility-letters/<int:pk>/verify/", letter_views.rletter_verify, name="rletter-verify"),
    path("responsibility-letters/<int:pk>/pdf/", letter_views.rletter_pdf, name="rletter-pdf"),
    path("scorecard/", letter_views.scorecard, name="scorecard"),
    path("scorecard/export.xlsx", letter_views.scorecard_export, name="scorecard-export"),
    path("scorecard/<int:pk>/", letter_views.scorecard_party, name="scorecard-party"),
    path("scorecard/<int:pk>/items/<int:item_pk>/", letter_views.scorecard_score, name="scorecard-score"),
]
