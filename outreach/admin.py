"""Registered in later work."""
