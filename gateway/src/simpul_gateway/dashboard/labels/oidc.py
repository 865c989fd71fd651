"""Sign-in by the identity provider (OIDC) and the sign-in forms' CSRF check: labels."""

from __future__ import annotations

from typing import Final

ID: Final[dict[str, str]] = {
    "oidc_sign_in": "Masuk dengan {provider}",
    "oidc_intro": "Gunakan akun Anda di penyedia identitas penerapan ini.",
    "oidc_off": "Masuk lewat penyedia identitas tidak diatur di penerapan ini",
    "oidc_provider_error": "Penyedia identitas tidak mengizinkan masuk",
    "oidc_provider_unreachable": "Penyedia identitas tidak dapat dihubungi; coba lagi "
    "sebentar lagi",
    "oidc_state_invalid": "Permintaan masuk ini tidak sah atau sudah kedaluwarsa; mulai masuk lagi",
    "oidc_exchange_refused": "Penyedia identitas menolak menukar kode masuk; mulai masuk lagi",
    "oidc_id_token_invalid": "Token identitas dari penyedia tidak sah",
    "oidc_token_refused": "Token akses dari penyedia identitas tidak diterima layanan Simpul",
    "oidc_token_too_large": "Token akses dari penyedia identitas terlalu besar untuk disimpan "
    "di cookie (batasnya sekitar 4 KB); minta administrator mengurangi klaim di token",
    "csrf_title": "Permintaan tidak sah",
    "csrf_invalid": "Formulir ini kedaluwarsa atau tidak berasal dari halaman dasbor ini; "
    "kirim lagi dari halaman ini",
}

EN: Final[dict[str, str]] = {
    "oidc_sign_in": "Sign in with {provider}",
    "oidc_intro": "Use your account at this deployment's identity provider.",
    "oidc_off": "Signing in by an identity provider is not set up in this deployment",
    "oidc_provider_error": "The identity provider did not allow the sign-in",
    "oidc_provider_unreachable": "The identity provider cannot be reached; try again shortly",
    "oidc_state_invalid": "This sign-in request is not valid or has expired; start again",
    "oidc_exchange_refused": "The identity provider refused to exchange the sign-in code; "
    "start again",
    "oidc_id_token_invalid": "The identity provider's ID token is not valid",
    "oidc_token_refused": "The identity provider's access token is not accepted by Simpul's "
    "services",
    "oidc_token_too_large": "The identity provider's access token is too large to keep in a "
    "cookie (the limit is about 4 KB); ask the administrator to trim the token's claims",
    "csrf_title": "Request refused",
    "csrf_invalid": "This form has expired or did not come from this dashboard page; send it "
    "again from this page",
}
