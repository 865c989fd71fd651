"""Every label the dashboard shows, in Bahasa Indonesia (the default) and English.

The language comes from ``?lang=`` (then remembered in the ``lang`` cookie), else that cookie,
else Indonesian. Both dicts have the same keys; a unit test holds them to it. The labels every
page shares are here; a page's own live in its module of ``dashboard.labels`` (``ID`` and
``EN``), merged in below, so that pages are added without touching one another's labels.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Final

from fastapi import Request

from simpul_gateway.dashboard import labels as page_labels

LANGS: Final = ("id", "en")
DEFAULT_LANG: Final = "id"
LANG_COOKIE: Final = "lang"

_SHARED_ID: Final[dict[str, str]] = {
    "app_name": "Simpul — Dasbor DPMD",
    "skip_to_content": "Langsung ke isi",
    "nav_label": "Halaman dasbor",
    "nav_summary": "Ringkasan",
    "nav_scorecard": "Capaian SPM",
    "nav_loci": "Lokus prioritas",
    "nav_referrals": "Rujukan",
    "nav_emergencies": "Kedaruratan",
    "nav_posyandu": "Posyandu",
    "posyandu_search_label": "nama atau ID",
    "posyandu_search_button": "Cari",
    "language": "Bahasa",
    "lang_id": "Bahasa Indonesia",
    "lang_en": "English",
    "signed_in_as": "Masuk sebagai",
    "sign_out": "Keluar",
    "sign_in": "Masuk",
    "sign_in_title": "Masuk ke dasbor",
    "sign_in_intro": "Tempel token akses (JWT) yang diberikan administrator penerapan Anda.",
    "token_label": "Token akses",
    "token_invalid": "Token tidak diterima",
    "dev_mint_title": "Pengembangan: buat token",
    "dev_mint_intro": "Hanya di lingkungan pengembangan: token ditandatangani dengan kunci "
    "pengembangan.",
    "role_label": "Peran",
    "wilayah_label": "Kode wilayah",
    "wilayah_hint": "Contoh: 64.02 (kabupaten), 64.02.06 (kecamatan)",
    "mint_button": "Buat token dan masuk",
    "mint_refused": "Pembuatan token hanya ada di lingkungan pengembangan.",
    "mint_invalid": "Peran atau kode wilayah tidak dikenal.",
    "forbidden_title": "Tidak berhak",
    "forbidden_body": "Anda tidak berhak melihat wilayah ini",
    "not_found_title": "Tidak ditemukan",
    "not_found_body": "Wilayah atau data ini tidak ada.",
    "error_title": "Terjadi kesalahan",
    "error_body": "Layanan tidak menjawab permintaan ini. Coba lagi sebentar lagi.",
    "back_to_summary": "Kembali ke ringkasan",
    "choose_wilayah": "Pilih wilayah",
    "show": "Tampilkan",
    "as_of": "Keadaan per",
    "export_csv": "Unduh CSV",
    "export_xlsx": "Unduh Excel",
    "export_wilayah": "Wilayah",
    "export_period": "Periode",
    "export_produced_at": "Dibuat",
    "print": "Cetak",
    "field_health": "Kesehatan",
    "field_education": "Pendidikan",
    "field_social": "Sosial",
    "field_housing": "Perumahan rakyat",
    "field_public_works": "Pekerjaan umum",
    "field_trantib": "Trantibumlinmas",
}

_SHARED_EN: Final[dict[str, str]] = {
    "app_name": "Simpul — DPMD dashboard",
    "skip_to_content": "Skip to content",
    "nav_label": "Dashboard pages",
    "nav_summary": "Summary",
    "nav_scorecard": "SPM scorecard",
    "nav_loci": "Priority loci",
    "nav_referrals": "Referrals",
    "nav_emergencies": "Emergencies",
    "nav_posyandu": "Posyandu",
    "posyandu_search_label": "name or ID",
    "posyandu_search_button": "Search",
    "language": "Language",
    "lang_id": "Bahasa Indonesia",
    "lang_en": "English",
    "signed_in_as": "Signed in as",
    "sign_out": "Sign out",
    "sign_in": "Sign in",
    "sign_in_title": "Sign in to the dashboard",
    "sign_in_intro": "Paste the access token (JWT) your deployment's administrator gave you.",
    "token_label": "Access token",
    "token_invalid": "The token was not accepted",
    "dev_mint_title": "Development: mint a token",
    "dev_mint_intro": "Development only: the token is signed with the development key.",
    "role_label": "Role",
    "wilayah_label": "Wilayah code",
    "wilayah_hint": "For example: 64.02 (kabupaten), 64.02.06 (kecamatan)",
    "mint_button": "Mint a token and sign in",
    "mint_refused": "Minting tokens exists in development only.",
    "mint_invalid": "Unknown role or wilayah code.",
    "forbidden_title": "Not allowed",
    "forbidden_body": "You may not see this wilayah",
    "not_found_title": "Not found",
    "not_found_body": "This wilayah or record does not exist.",
    "error_title": "Something went wrong",
    "error_body": "A service did not answer this request. Try again shortly.",
    "back_to_summary": "Back to the summary",
    "choose_wilayah": "Choose a wilayah",
    "show": "Show",
    "as_of": "As of",
    "export_csv": "Download CSV",
    "export_xlsx": "Download Excel",
    "export_wilayah": "Wilayah",
    "export_period": "Period",
    "export_produced_at": "Produced",
    "print": "Print",
    "field_health": "Health",
    "field_education": "Education",
    "field_social": "Social",
    "field_housing": "Housing",
    "field_public_works": "Public works",
    "field_trantib": "Public order and protection",
}


def _with_pages(shared: dict[str, str], name: str) -> dict[str, str]:
    """The shared labels plus every page module's ``name`` dict; a key defined twice is a
    mistake caught at import, not a label silently replaced."""
    merged = dict(shared)
    for module in pkgutil.iter_modules(page_labels.__path__):
        found = importlib.import_module(f"{page_labels.__name__}.{module.name}")
        extra: dict[str, str] = getattr(found, name)
        clash = merged.keys() & extra.keys()
        if clash:
            raise RuntimeError(f"labels defined twice ({module.name}): {sorted(clash)}")
        merged.update(extra)
    return merged


ID: Final[dict[str, str]] = _with_pages(_SHARED_ID, "ID")
EN: Final[dict[str, str]] = _with_pages(_SHARED_EN, "EN")
LABELS: Final[dict[str, dict[str, str]]] = {"id": ID, "en": EN}


def chosen_lang(request: Request) -> str:
    """``?lang=`` first, then the ``lang`` cookie, then Indonesian; anything unknown is ignored."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGS:
            return candidate
    return DEFAULT_LANG


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, ID)
