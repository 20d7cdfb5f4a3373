"""Generic views for the registries: scoped lists with filters, details with history, admin edits."""

from __future__ import annotations

from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from chashan_safety.permissions import ScopedMixin, TownAdminRequiredMixin

HISTORY_LIMIT = 20


class RegistryListView(ScopedMixin, FilterView):
    paginate_by = 25
    strict = False  # an invalid filter shows the form's message and the unfiltered list

    def get_queryset(self):
        return super().get_queryset().order_by(*self.model._meta.ordering, "pk")


class RegistryDetailView(ScopedMixin, DetailView):
    """A detail page; town administrators also see the record's change history."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.is_town_admin and hasattr(self.object, "history"):
            context["history"] = self.object.history.select_related("history_user").order_by("-history_date")[
                :HISTORY_LIMIT
            ]
        return context


class RegistryFormMixin:
    """Shared by create and edit pages: the record's kind for the title and where Cancel leads."""

    template_name = "registry/form.html"
    list_url_name: str | None = None  # default "<app>:<model>-list"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        context["verbose_name"] = meta.verbose_name
        if getattr(self, "object", None) is not None and self.object.pk:
            context["cancel_url"] = self.object.get_absolute_url()
        else:
            context["cancel_url"] = reverse(self.list_url_name or f"{meta.app_label}:{meta.model_name}-list")
        return context


class RegistryCreateView(TownAdminRequiredMixin, RegistryFormMixin, CreateView):
    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("%(object)s was saved.") % {"object": self.object})
        return response


class RegistryUpdateView(TownAdminRequiredMixin, RegistryFormMixin, ScopedMixin, UpdateView):
    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("%(object)s was saved.") % {"object": self.object})
        return response
