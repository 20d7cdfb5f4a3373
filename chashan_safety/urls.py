from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from chashan_safety import inbox, twofactor, views

account_patterns = (
    [
        path("users/", views.user_list, name="user-list"),
        path("users/new/", views.user_edit, name="user-create"),
        path("users/<int:pk>/edit/", views.user_edit, name="user-edit"),
        path("users/<int:pk>/password/", views.user_set_password, name="user-password"),
        path("users/<int:pk>/two-factor/reset/", twofactor.user_reset, name="user-two-factor-reset"),
    ],
    "accounts",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set-language"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # two-factor sign-in (chashan_safety/twofactor.py)
    path("accounts/two-factor/", twofactor.overview, name="two-factor"),
    path("accounts/two-factor/verify/", twofactor.verify, name="two-factor-verify"),
    path("accounts/two-factor/setup/", twofactor.setup, name="two-factor-setup"),
    path("accounts/two-factor/codes/", twofactor.backup_codes, name="two-factor-codes"),
    path("accounts/two-factor/codes/new/", twofactor.codes_new, name="two-factor-codes-new"),
    path("accounts/two-factor/turn-off/", twofactor.turn_off, name="two-factor-turn-off"),
    path("accounts/", include(account_patterns)),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>/open/", inbox.inbox_open, name="inbox-open"),
    path("inbox/<int:pk>/", inbox.inbox_group, name="inbox-group"),
    path("inbox/read-all/", inbox.inbox_read_all, name="inbox-read-all"),
    path("reminders/", inbox.reminders_overview, name="reminders-overview"),
    path("reminders/no-contact/", inbox.reminders_no_contact, name="reminders-no-contact"),
    path("", include("responsibility.urls")),
    path("", include("inspections.urls")),
    path("", include("incidents.urls")),
    path("", include("dashboard.urls")),
    path("", include("supervision.urls")),
    path("", include("outreach.urls")),
    path("", include("duty.urls")),
    path("admin/", admin.site.urls),
]

# the generic error page with the request id, and 503 while the database cannot be reached
handler500 = "chashan_safety.views.server_error"
