"""The deployment's OpenID Connect provider as the dashboard's sign-in sees it: discovery
(cached), the authorization request with PKCE, the code exchange, the ID token's checks, the
signed cookie that carries one sign-in's state between the two legs, and RP-initiated logout.

Nothing here decides who may see what: the provider's *access token* becomes the session only
after the API's own verification (``routes in dashboard.oidc``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode, urlsplit

import httpx
import jwt
from fastapi import Request, Response

from simpul_gateway.settings import GatewaySettings

STATE_COOKIE = "simpul_oidc"
STATE_COOKIE_PATH = "/dashboard/masuk/oidc"
STATE_TTL_S = 600  # long enough to type a password and a second factor at the provider
ORIGIN_COOKIE = "simpul_signin"  # "oidc" while the session came from the provider
_STATE_AUDIENCE = "simpul-dashboard-oidc-state"
# The ID token is signed by the provider's keys, never with a shared secret or "none".
_ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
_CLOCK_LEEWAY_S = 60


class OidcError(Exception):
    """A sign-in that cannot go on: ``key`` names the label the page shows, ``detail`` what
    the provider or the check said, ``status`` the page's HTTP status."""

    def __init__(self, key: str, detail: str | None = None, status: int = 400) -> None:
        super().__init__(key, detail)
        self.key, self.detail, self.status = key, detail, status


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None


@dataclass(frozen=True)
class Pending:
    """One sign-in between the redirect to the provider and its callback."""

    state: str
    nonce: str
    verifier: str
    next_path: str


def new_pending(next_path: str) -> Pending:
    # 32 random bytes each; the verifier's 86 characters are within RFC 7636's 43–128.
    return Pending(
        secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64), next_path
    )


def challenge(verifier: str) -> str:
    """PKCE S256: base64url(SHA-256(verifier)) without padding."""
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


def keep_pending(
    response: Response, request: Request, settings: GatewaySettings, p: Pending
) -> None:
    """The pending sign-in in a signed, short-lived cookie sent back only to the callback."""
    claims = {
        "state": p.state,
        "nonce": p.nonce,
        "verifier": p.verifier,
        "next": p.next_path,
        "aud": _STATE_AUDIENCE,
        "exp": int(time.time()) + STATE_TTL_S,
    }
    response.set_cookie(
        STATE_COOKIE,
        jwt.encode(claims, settings.oidc_state_secret, algorithm="HS256"),
        max_age=STATE_TTL_S,
        path=STATE_COOKIE_PATH,
        httponly=True,
        samesite="lax",  # the callback is a top-level navigation from the provider's site
        secure=request.url.scheme == "https",
    )


def pending_of(request: Request, settings: GatewaySettings) -> Pending:
    """The pending sign-in from its cookie; refused when absent, expired or not ours."""
    raw = request.cookies.get(STATE_COOKIE, "")
    if not raw:
        raise OidcError("oidc_state_invalid", "no sign-in was started in this browser")
    try:
        claims = jwt.decode(
            raw, settings.oidc_state_secret, algorithms=["HS256"], audience=_STATE_AUDIENCE
        )
        return Pending(
            str(claims["state"]), str(claims["nonce"]), str(claims["verifier"]), str(claims["next"])
        )
    except jwt.ExpiredSignatureError as exc:
        raise OidcError("oidc_state_invalid", "the sign-in took too long") from exc
    except (jwt.PyJWTError, KeyError) as exc:
        raise OidcError("oidc_state_invalid", "the sign-in cookie is not valid") from exc


def forget_pending(response: Response) -> None:
    response.delete_cookie(STATE_COOKIE, path=STATE_COOKIE_PATH, httponly=True, samesite="lax")


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class Provider:
    """The configured provider: its discovery document and keys, fetched and cached."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self._discovery: tuple[float, Discovery] | None = None
        self._keys: jwt.PyJWKSet | None = None

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self.settings.oidc_timeout_s)

    async def discovery(self) -> Discovery:
        cached = self._discovery
        if cached and time.monotonic() - cached[0] < self.settings.oidc_discovery_cache_s:
            return cached[1]
        issuer = self.settings.oidc_issuer.rstrip("/")
        document = await self._get_json(f"{issuer}/.well-known/openid-configuration")
        try:
            found = Discovery(
                issuer=str(document["issuer"]),
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                jwks_uri=str(document["jwks_uri"]),
                end_session_endpoint=document.get("end_session_endpoint") or None,
            )
        except KeyError as exc:
            raise OidcError("oidc_provider_unreachable", f"discovery lacks {exc}", 502) from exc
        # OIDC Discovery §4.3: the document's issuer is exactly the one configured.
        if found.issuer.rstrip("/") != issuer:
            raise OidcError("oidc_provider_unreachable", f"discovery names {found.issuer}", 502)
        self._discovery = (time.monotonic(), found)
        return found

    def authorization_url(self, found: Discovery, redirect_uri: str, p: Pending) -> str:
        scopes = self.settings.oidc_scopes.split()
        scope = " ".join(["openid", *(s for s in scopes if s != "openid")])
        query = {
            "response_type": "code",
            "client_id": self.settings.oidc_client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": p.state,
            "nonce": p.nonce,
            "code_challenge": challenge(p.verifier),
            "code_challenge_method": "S256",
        }
        return _with_query(found.authorization_endpoint, query)

    async def exchange(self, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        """The token endpoint's answer for ``code``; refused with the provider's error."""
        found = await self.discovery()
        s = self.settings
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        headers: dict[str, str] = {}
        if s.oidc_client_auth == "client_secret_post":
            form |= {"client_id": s.oidc_client_id, "client_secret": s.oidc_client_secret}
        else:
            headers["Authorization"] = _basic(s.oidc_client_id, s.oidc_client_secret)
        try:
            async with self._client() as client:
                answer = await client.post(found.token_endpoint, data=form, headers=headers)
        except httpx.HTTPError as exc:
            raise OidcError("oidc_provider_unreachable", type(exc).__name__, 502) from exc
        body = _json_or_empty(answer)
        if answer.status_code != 200:
            said = " ".join(str(body.get(k, "")) for k in ("error", "error_description"))
            raise OidcError("oidc_exchange_refused", said.strip() or f"HTTP {answer.status_code}")
        if not isinstance(body.get("access_token"), str) or not isinstance(
            body.get("id_token"), str
        ):
            raise OidcError("oidc_exchange_refused", "no access_token and id_token in the answer")
        return body

    async def verify_id_token(self, id_token: str, nonce: str, access_token: str) -> None:
        """OIDC Core §3.1.3.7: signed by the provider's key, for this client, from this issuer,
        not expired, with this sign-in's nonce (and the access token's hash when given)."""
        found = await self.discovery()
        try:
            kid = jwt.get_unverified_header(id_token).get("kid")
            key = await self._key(found, kid)
            algorithm = key.algorithm_name
            if algorithm not in _ASYMMETRIC:
                raise OidcError("oidc_id_token_invalid", f"algorithm {algorithm} is not accepted")
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=[algorithm],
                audience=self.settings.oidc_client_id,
                issuer=found.issuer,
                leeway=_CLOCK_LEEWAY_S,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise OidcError("oidc_id_token_invalid", str(exc)) from exc
        if not same(str(claims.get("nonce", "")), nonce):
            raise OidcError("oidc_id_token_invalid", "the nonce is not this sign-in's")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.settings.oidc_client_id:
            raise OidcError("oidc_id_token_invalid", "azp is not this client")
        at_hash = claims.get("at_hash")
        if at_hash is not None and not same(str(at_hash), _token_hash(access_token, algorithm)):
            raise OidcError("oidc_id_token_invalid", "at_hash does not match the access token")

    async def _key(self, found: Discovery, kid: Any) -> jwt.PyJWK:
        # Cached; a kid not in the cached set refetches once (the provider rotated its keys).
        for refresh in (False, True):
            if refresh or self._keys is None:
                self._keys = jwt.PyJWKSet.from_dict(await self._get_json(found.jwks_uri))
            for key in self._keys.keys:
                if kid is None or key.key_id == kid:
                    return key
        raise OidcError("oidc_id_token_invalid", f"no provider key {kid}")

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with self._client() as client:
                answer = await client.get(url)
            answer.raise_for_status()
            body = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError(
                "oidc_provider_unreachable", f"{url}: {type(exc).__name__}", 502
            ) from exc
        if not isinstance(body, dict):
            raise OidcError("oidc_provider_unreachable", f"{url}: not a JSON object", 502)
        return body


def provider_of(request: Request) -> Provider | None:
    """The app's provider (created on first use, then kept with its caches); None when OIDC is
    not configured."""
    settings: GatewaySettings = request.app.state.settings
    if not settings.oidc_enabled:
        return None
    provider = getattr(request.app.state, "dashboard_oidc", None)
    if not isinstance(provider, Provider):
        provider = Provider(settings)
        request.app.state.dashboard_oidc = provider
    return provider


def provider_name(settings: GatewaySettings) -> str:
    return settings.oidc_provider_name or urlsplit(settings.oidc_issuer).hostname or "OIDC"


def redirect_uri(request: Request) -> str:
    """The callback URL: the configured one (as registered at the provider), else this
    request's own origin."""
    settings: GatewaySettings = request.app.state.settings
    return settings.oidc_redirect_url or str(request.url_for("oidc_callback"))


async def logout_url(request: Request) -> str | None:
    """Where sign-out sends a session that came from the provider, when the provider offers
    RP-initiated logout; None otherwise (or when it cannot be reached: signing out here must
    never fail on the provider)."""
    provider = provider_of(request)
    if provider is None or request.cookies.get(ORIGIN_COOKIE) != "oidc":
        return None
    try:
        found = await provider.discovery()
    except OidcError:
        return None
    if not found.end_session_endpoint:
        return None
    back = urlsplit(redirect_uri(request))
    query = {
        "client_id": provider.settings.oidc_client_id,
        "post_logout_redirect_uri": f"{back.scheme}://{back.netloc}/dashboard/masuk",
    }
    return _with_query(found.end_session_endpoint, query)


def _with_query(endpoint: str, query: dict[str, str]) -> str:
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


def _json_or_empty(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _token_hash(token: str, algorithm: str) -> str:
    """OIDC Core §3.1.3.6: the left half of the hash of the token, base64url."""
    digest = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}[algorithm[-3:]](
        token.encode("ascii")
    ).digest()
    return _b64(digest[: len(digest) // 2])


def _basic(client_id: str, secret: str) -> str:
    """RFC 6749 §2.3.1: each part form-encoded before they are joined and base64-encoded."""
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
