"""Forms of the inspections app, one module per part (structure, sites, inspections, findings)."""
