"""Incidents, the leadership dashboard and the 1+4+N duty desk: models arrive with their issues."""
