from django.urls import path

from duty import views

app_name = "duty"

urlpatterns = [
    path("duty/", views.desk, name="desk"),
    path("duty/calendar/", views.month_calendar, name="calendar"),
    path("duty/calendar/print/", views.calendar_print, name="calendar-print"),
    path("duty/shifts/new/", views.shift_edit, name="shift-create"),
    path("duty/shifts/plan/", views.shifts_plan, name="shifts-plan"),
    path("duty/shifts/<int:pk>/", views.shift_detail, name="shift-detail"),
    path("duty/shifts/<int:pk>/edit/", views.shift_edit, name="shift-edit"),
    path("duty/shifts/<int:pk>/delete/", views.shift_delete, name="shift-delete"),
    path("duty/shifts/<int:pk>/swap/", views.swap_create, name="swap-create"),
    path("duty/shifts/<int:pk>/handover/", views.handover, name="handover"),
    path("duty/swaps/", views.swap_list, name="swap-list"),
    path("duty/swaps/<int:pk>/decide/", views.swap_decide, name="swap-decide"),
    path("duty/log/", views.log_list, name="log-list"),
    path("duty/log/new/", views.log_create, name="log-create"),
    path("duty/log/<int:pk>/", views.log_detail, name="log-detail"),
    path("duty/log/<int:pk>/step/", views.log_step, name="log-step"),
    path("duty/log/<int:pk>/activate/", views.log_activate, name="log-activate"),
    path("duty/activations/", views.activation_list, name="activation-list"),
    path("duty/activations/new/", views.activation_create, name="activation-create"),
    path("duty/activations/<int:pk>/", views.activation_detail, name="activation-detail"),
    path("duty/activations/<int:pk>/note/", views.activation_note, name="activation-note"),
    path("duty/activations/<int:pk>/close/", views.activation_close, name="activation-close"),
    path("duty/callouts/<int:pk>/", views.callout_record, name="callout-record"),
    path("duty/roster/", views.roster, name="roster"),
    path("duty/roster/units/new/", views.unit_edit, name="unit-create"),
    path("duty/roster/units/<int:pk>/edit/", views.unit_edit, name="unit-edit"),
    path("duty/roster/templates/new/", views.template_edit, name="template-create"),
    path("duty/roster/templates/<int:pk>/edit/", views.template_edit, name="template-edit"),
]
