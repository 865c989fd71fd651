"""Gateway settings: where each service is, how long to wait for it, how to rank loci.

Service URLs come from ``GATEWAY_<NAME>_URL`` or the deployment-wide ``SIMPUL_<NAME>_URL``
(the start command sets those). A field whose URL is empty has no service yet and is shown as
``not_available``; adding a service is its URL here and one typed client.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from simpul_platform.settings import ServiceSettings

# Development defaults of the dashboard's OIDC secrets: refused outside development, as the
# platform refuses its own (a deployment that signs in by OIDC brings its own).
DEV_OIDC_CLIENT_SECRET = "simpul-dev-oidc-client-secret-change-me"
DEV_OIDC_STATE_SECRET = "simpul-dev-oidc-state-secret-change-me-0123456789"


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="GATEWAY_")

    service_name: str = "gateway"
    registry_url: str = "http://127.0.0.1:8101"
    health_url: str = "http://127.0.0.1:8102"
    education_url: str = "http://127.0.0.1:8103"
    social_url: str = "http://127.0.0.1:8104"
    housing_url: str = "http://127.0.0.1:8105"
    public_works_url: str = "http://127.0.0.1:8106"
    trantib_url: str = "http://127.0.0.1:8107"

    upstream_timeout_s: float = Field(default=2.0, gt=0, description="whole budget per service")
    upstream_retries: int = Field(default=2, ge=0)
    breaker_failures: int = Field(default=3, ge=1, description="consecutive failures to open")
    breaker_reset_s: float = Field(default=15.0, gt=0, description="how long it stays open")
    token_cache_s: float = Field(
        default=60.0, ge=0, description="longest a verified token is trusted without a check"
    )
    token_cache_size: int = Field(default=4096, ge=0, description="tokens remembered; 0: none")

    # Priority loci: score = Σ weight × component ÷ Σ weight (each component a 0–100
    # percentage). Stunting and poverty lead (the pilot's two targets); education's two gaps
    # join at a third of stunting's weight each: both track the same households (PAUD-HI for
    # stunted children, ATS where poverty keeps children home), and a desa's handful of
    # children aged 5–6 makes its PAUD share noisy, so neither should outrank the pilot's own.
    loci_weight_stunting: float = Field(default=0.6, ge=0)
    loci_weight_poverty: float = Field(default=0.4, ge=0)
    loci_weight_paud_gap: float = Field(
        default=0.2, ge=0, description="children 5–6 not in PAUD (education)"
    )
    loci_weight_out_of_school: float = Field(
        default=0.2, ge=0, description="children 7–18 out of school (education)"
    )
    # RTLH joins like education's gaps: a house that fails Permen PUPR 29/2018 (unsafe
    # structure, no safe water or latrine, under 9 m² a person) is one of the specific causes
    # of stunting housing can act on, but it is a share of the houses surveyed, not of the
    # children, so it weighs no more than either gap.
    loci_weight_rtlh: float = Field(
        default=0.2, ge=0, description="houses surveyed that are RTLH under Permen PUPR 29/2018"
    )
    # Water and sanitation are two components, each at this weight: together they weigh as
    # RTLH does, since a house's RTLH judgement already counts its water source and latrine,
    # and households without basic water are mostly the same ones without a proper latrine.
    loci_weight_wash: float = Field(
        default=0.1,
        ge=0,
        description="each of: households surveyed without basic daily drinking water, and "
        "without layak sanitation (public works)",
    )

    # Dashboard sign-in by the deployment's identity provider (OIDC authorization-code flow
    # with PKCE). Off while the issuer is empty. The provider's access token is the session:
    # it must be one the services accept (jwt_algorithm RS256 with its JWKS, jwt_issuer and
    # jwt_audience as the provider issues them).
    oidc_issuer: str = Field(default="", description="the provider's issuer URL; empty: off")
    oidc_client_id: str = ""
    oidc_client_secret: str = DEV_OIDC_CLIENT_SECRET
    oidc_client_auth: Literal["client_secret_basic", "client_secret_post"] = "client_secret_basic"
    oidc_scopes: str = Field(default="openid", description="space-separated; openid is added")
    oidc_redirect_url: str = Field(
        default="", description="the callback URL registered at the provider; empty: derived"
    )
    oidc_provider_name: str = Field(default="", description="shown on the button; empty: host")
    oidc_state_secret: str = Field(
        default=DEV_OIDC_STATE_SECRET,
        description="signs the short-lived cookie that carries state, nonce and PKCE verifier",
    )
    oidc_discovery_cache_s: float = Field(default=3600.0, ge=0)
    oidc_timeout_s: float = Field(default=10.0, gt=0)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @model_validator(mode="after")
    def _oidc_complete_and_not_with_dev_secrets(self) -> GatewaySettings:
        if not self.oidc_enabled:
            return self
        if not self.oidc_client_id:
            raise ValueError("oidc_client_id: needed when oidc_issuer is set")
        if len(self.oidc_state_secret) < 32:
            raise ValueError("oidc_state_secret: at least 32 characters")
        if self.environment != "development":
            for name, default in (
                ("oidc_client_secret", DEV_OIDC_CLIENT_SECRET),
                ("oidc_state_secret", DEV_OIDC_STATE_SECRET),
            ):
                if getattr(self, name) == default:
                    raise ValueError(f"{name}: the development default is refused here")
        return self

    def field_urls(self) -> dict[str, str]:
        return {
            "health": self.health_url,
            "education": self.education_url,
            "social": self.social_url,
            "housing": self.housing_url,
            "public_works": self.public_works_url,
            "trantib": self.trantib_url,
        }
