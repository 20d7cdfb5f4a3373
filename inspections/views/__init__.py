"""Views of the inspections app, one module per part: the structure registries, sites,
inspections logged on a phone, findings and their lifecycle, the ledger, photos."""
