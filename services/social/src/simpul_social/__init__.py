"""Simpul social: Dinas Sosial's field: households, deciles, usulan, bansos, PPKS, stunting."""
