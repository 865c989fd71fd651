"""Simpul public works: Dinas PU's field at the posyandu."""
