from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    # listed supervision (挂牌督办) and the 五落实 plans
    path("supervision/", views.board, name="board"),
    path("supervision/findings/<int:pk>/plan/", views.plan_edit, name="plan-edit"),
    # 回头看
    path("supervision/findings/<int:pk>/follow-up/", views.follow_up_schedule, name="follow-up-schedule"),
    path("follow-ups/", views.follow_up_list, name="follow-up-list"),
    path("follow-ups/figures/", views.follow_up_figures, name="follow-up-figures"),
    path("follow-ups/<int:pk>/", views.follow_up_detail, name="follow-up-detail"),
    path("follow-ups/rounds/", views.round_list, name="round-list"),
    path("follow-ups/rounds/new/", views.round_create, name="round-create"),
    path("follow-ups/rounds/<int:pk>/", views.round_detail, name="round-detail"),
    # campaigns (专项整治)
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_edit, name="campaign-create"),
    path("campaigns/categories/new/", views.category_create, name="category-create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:pk>/report/", views.campaign_report, name="campaign-report"),
    path("campaigns/<int:pk>/link-matching/", views.campaign_link_matching, name="campaign-link-matching"),
    path("inspections/<int:pk>/campaign/", views.campaign_link_inspection, name="campaign-link-inspection"),
    # the surprise and night inspection planner
    path("planner/", views.planner, name="planner"),
    path("planner/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("planner/<int:pk>/redraw/", views.plan_redraw, name="plan-redraw"),
    path("planner/<int:pk>/swap/<int:visit_pk>/", views.plan_swap, name="plan-swap"),
    path("planner/<int:pk>/accept/", views.plan_accept, name="plan-accept"),
    # rectification notices (责令限期整改通知书)
    path("notices/finding/<int:pk>.pdf", views.notice_for_finding, name="notice-finding"),
    path("notices/inspection/<int:pk>.pdf", views.notice_for_inspection, name="notice-inspection"),
]
