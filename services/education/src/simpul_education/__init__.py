"""Simpul education: Dinas Pendidikan's field at the posyandu."""
