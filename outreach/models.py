"""Outreach carriers and activities: models arrive with their issue."""
