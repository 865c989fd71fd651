"""Simpul registry service."""
