"""Filter sets of the inspections app, one module per part (structure, sites, findings)."""
