"""Generic views for the registries: scoped lists with filters, details with history, admin edits."""

from __future__ import annotations

from django.contrib import messages
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
            context["history"] = (
                self.object.history.select_related("history_user").order_by("-history_date")[:HISTORY_LIMIT]
            )
        return context


class RegistryCreateView(TownAdminRequiredMixin, CreateView):
    template_name = "registry/form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("%(object)s was saved.") % {"object": self.object})
        return response


class RegistryUpdateView(TownAdminRequiredMixin, ScopedMixin, UpdateView):
    template_name = "registry/form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("%(object)s was saved.") % {"object": self.object})
        return response
