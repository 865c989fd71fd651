"""Simpul health: Dinas Kesehatan's field at the posyandu."""
