"""Simpul trantib: Satpol PP, Damkar and BPBD at the posyandu (trantibumlinmas)."""
