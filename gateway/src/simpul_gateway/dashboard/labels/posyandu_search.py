"""The posyandu search's labels: the results of a name typed in the header's search."""

from __future__ import annotations

from typing import Final

ID: Final[dict[str, str]] = {
    "search_title": "Cari posyandu",
    "search_results_for": "Hasil pencarian",
    "search_in_wilayah": "di wilayah",
    "search_in_your_wilayah": "di wilayah Anda",
    "search_prompt": "Ketik nama posyandu (atau tempel ID-nya) di kotak Posyandu di atas.",
    "search_found": "posyandu ditemukan",
    "search_showing": "Menampilkan",
    "search_to": "sampai",
    "search_of": "dari",
    "search_none_found": "Tidak ada posyandu dengan nama itu",
    "search_page_empty": "Halaman ini kosong.",
    "search_first_page": "Ke halaman pertama",
    "search_caption": "Posyandu yang namanya memuat kata pencarian, urut desa lalu nama",
    "search_col_name": "Nama",
    "search_col_desa": "Desa",
    "search_col_kecamatan": "Kecamatan",
    "search_col_status": "Status registrasi",
    "search_col_registration_number": "Nomor registrasi",
    "search_pages_label": "Halaman hasil",
    "search_previous": "Sebelumnya",
    "search_next": "Berikutnya",
    "search_page": "Halaman",
    "search_unavailable": "Pencarian tidak tersedia: layanan registri tidak menjawab. "
    "Coba lagi sebentar lagi.",
}

EN: Final[dict[str, str]] = {
    "search_title": "Find a posyandu",
    "search_results_for": "Search results",
    "search_in_wilayah": "in wilayah",
    "search_in_your_wilayah": "in your wilayah",
    "search_prompt": "Type a posyandu's name (or paste its ID) in the Posyandu box above.",
    "search_found": "posyandu found",
    "search_showing": "Showing",
    "search_to": "to",
    "search_of": "of",
    "search_none_found": "No posyandu by that name",
    "search_page_empty": "This page is empty.",
    "search_first_page": "To the first page",
    "search_caption": "Posyandu whose name holds the search, by desa, then name",
    "search_col_name": "Name",
    "search_col_desa": "Desa",
    "search_col_kecamatan": "Kecamatan",
    "search_col_status": "Registration status",
    "search_col_registration_number": "Registration number",
    "search_pages_label": "Result pages",
    "search_previous": "Previous",
    "search_next": "Next",
    "search_page": "Page",
    "search_unavailable": "Search is not available: the registry did not answer. "
    "Try again shortly.",
}
