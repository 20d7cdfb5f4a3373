from chashan_safety.generic import RegistryCreateView, RegistryDetailView, RegistryListView, RegistryUpdateView
from responsibility.filters import UnitFilter, VillageFilter
from responsibility.forms import UnitForm, VillageForm
from responsibility.models import Unit, Village


class VillageList(RegistryListView):
    model = Village
    filterset_class = VillageFilter
    select_related = ("zone_link__zone",)
    template_name = "responsibility/village_list.html"


class VillageDetail(RegistryDetailView):
    model = Village
    select_related = ("zone_link__zone__section",)
    template_name = "responsibility/village_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["grids"] = self.object.grids.all()
        context["users"] = self.object.users.filter(is_active=True)
        return context


class VillageCreate(RegistryCreateView):
    model = Village
    form_class = VillageForm


class VillageUpdate(RegistryUpdateView):
    model = Village
    form_class = VillageForm


class UnitList(RegistryListView):
    model = Unit
    filterset_class = UnitFilter
    template_name = "responsibility/unit_list.html"


class UnitDetail(RegistryDetailView):
    model = Unit
    template_name = "responsibility/unit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["users"] = self.object.users.filter(is_active=True)
        return context


class UnitCreate(RegistryCreateView):
    model = Unit
    form_class = UnitForm


class UnitUpdate(RegistryUpdateView):
    model = Unit
    form_class = UnitForm
