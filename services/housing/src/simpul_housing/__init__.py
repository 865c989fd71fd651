"""Simpul housing: Dinas Perkim's field at the posyandu."""
