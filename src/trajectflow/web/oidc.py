"""Sign-in with OpenID Connect on the pages, and OIDC access tokens on the API.

`install_oidc(app)` reads TRAJECTFLOW_OIDC_PROVIDERS_FILE (a bad file stops the start), registers
each provider with authlib's Flask client and lets api/identity.py accept the providers' JWT access
tokens. The pages: `/login/oidc/<name>` sends the browser to the provider (authorization code flow
with PKCE, state and nonce, kept in the session), `/login/oidc/<name>/callback` verifies the ID token
and signs the linked account in. Every failure is a page with a 4xx status, in the user's language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from ..api.identity import EXTERNAL_VERIFIER
from ..services import oidc as accounts
from ..services.oidc_config import OidcProvider, load_providers
from ..services.oidc_tokens import AccessTokenVerifier, ProviderDocuments, bearer_verifier
from .auth import start_session, web_context
from .errors import web_blueprint
from .redirects import safe_next

log = logging.getLogger(__name__)

OIDC_EXTENSION = "trajectflow.oidc"
_NEXT = "oidc_next"
HTTP_TIMEOUT_SECONDS = 10
# What may go wrong talking to a provider: unreachable, a broken or foreign answer, a failed check.
_PROVIDER_FAILURES = (requests.RequestException, RuntimeError, ValueError, KeyError, TypeError)

bp = web_blueprint("oidc", __name__, url_prefix="/login/oidc")


@dataclass(frozen=True)
class OidcSetup:
    providers: dict[str, OidcProvider]
    oauth: OAuth


def install_oidc(app: Flask) -> None:
    """Wire the configured providers; without TRAJECTFLOW_OIDC_PROVIDERS_FILE there are none."""
    settings = app.extensions["trajectflow"].settings
    if settings.oidc_providers_file is None:
        return
    providers = load_providers(settings.oidc_providers_file)
    oauth = OAuth(app)
    for provider in providers:
        oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.server_metadata_url,
            client_kwargs={
                "scope": provider.scopes,
                "code_challenge_method": "S256",
                "default_timeout": HTTP_TIMEOUT_SECONDS,
            },
        )
    app.extensions[OIDC_EXTENSION] = OidcSetup({p.name: p for p in providers}, oauth)
    verifier = AccessTokenVerifier([ProviderDocuments(p) for p in providers])
    app.extensions[EXTERNAL_VERIFIER] = bearer_verifier(verifier)


@bp.app_context_processor
def _sign_in_buttons() -> dict[str, Any]:
    setup: OidcSetup | None = current_app.extensions.get(OIDC_EXTENSION)
    return {"oidc_providers": list(setup.providers.values()) if setup else []}


def _provider(name: str) -> tuple[OidcProvider, Any]:
    setup: OidcSetup | None = current_app.extensions.get(OIDC_EXTENSION)
    if setup is None or name not in setup.providers:
        abort(404)
    return setup.providers[name], setup.oauth.create_client(name)


def _metadata(provider: OidcProvider, client: Any) -> dict[str, Any]:
    """The discovery document, which must name the configured issuer (OpenID Connect Discovery 4.3)."""
    metadata = dict(client.load_server_metadata())
    if provider.issuer is not None and metadata.get("issuer") != provider.issuer:
        raise ValueError(f"discovery document of {provider.name} names another issuer")
    return metadata


@bp.get("/<name>")
def start(name: str) -> Response | tuple[str, int]:
    provider, client = _provider(name)
    session[_NEXT] = safe_next(request.args.get("next"))
    try:
        _metadata(provider, client)
        return client.authorize_redirect(url_for(".callback", name=name, _external=True))  # type: ignore[no-any-return]
    except _PROVIDER_FAILURES as err:
        log.warning("OpenID provider %s unreachable at sign-in: %s", name, type(err).__name__)
        return _failure(provider, 400, _unreachable(provider))


@bp.get("/<name>/callback")
def callback(name: str) -> Response | tuple[str, int]:
    provider, client = _provider(name)
    try:
        _check_response_issuer(provider, client)
        token = client.authorize_access_token()
        claims = _claims(provider, client, token)
    except OAuthError as err:
        return _refused_by_provider(provider, err)
    except (JoseError, AuthlibBaseError) as err:
        log.warning("ID token of %s refused: %s", name, type(err).__name__)
        return _failure(provider, 401, _("The answer of %(label)s could not be verified.", label=provider.label))
    except _PROVIDER_FAILURES as err:
        log.warning("OpenID provider %s failed at callback: %s", name, type(err).__name__)
        return _failure(provider, 400, _unreachable(provider))
    try:
        identity = accounts.identity_from_claims(provider, str(claims["iss"]), claims)
        actor = accounts.sign_in_oidc(web_context(), provider, identity)
    except accounts.SignInRefused as refused:
        username = refused.username or _claimed_username(provider, claims)
        return _failure(provider, _REFUSAL_STATUS.get(refused.reason, 401), _refusal(refused, provider), username)
    next_url = session.get(_NEXT)
    start_session(actor.username)
    g.audit_login = {"username": actor.username, "result": "success", "method": f"oidc:{name}"}
    flash(_("Signed in as %(user)s.", user=actor.username), "success")
    return redirect(safe_next(next_url))


def _check_response_issuer(provider: OidcProvider, client: Any) -> None:
    """RFC 9207: a provider that names itself in the response must be the one the browser was sent to."""
    issuer = request.args.get("iss")
    if issuer is not None and issuer != _metadata(provider, client).get("issuer"):
        raise OAuthError(error="issuer_mismatch", description="the response names another issuer")


def _claims(provider: OidcProvider, client: Any, token: dict[str, Any]) -> dict[str, Any]:
    """The verified ID token's claims, completed from the userinfo endpoint (same subject only).

    Many providers keep ID tokens small and give names and roles at the userinfo endpoint.
    """
    metadata = _metadata(provider, client)
    id_claims = token.get("userinfo")
    if not id_claims:
        raise OAuthError(error="no_id_token", description="the provider sent no ID token")
    claims = dict(id_claims)
    endpoint = metadata.get("userinfo_endpoint")
    if not endpoint:
        return claims
    try:
        response = client.get(endpoint, token=token)
        response.raise_for_status()
        extra = response.json()
    except (requests.RequestException, ValueError, OAuthError) as err:
        log.warning("userinfo of %s not available: %s", provider.name, type(err).__name__)
        return claims
    if isinstance(extra, dict) and extra.get("sub") == claims.get("sub"):
        return {**extra, **claims}
    return claims


_REFUSAL_STATUS = {
    accounts.LOCAL_ACCOUNT: 409,
    accounts.LINKED_ELSEWHERE: 409,
    accounts.INACTIVE: 403,
}


def _refusal(refused: accounts.SignInRefused, provider: OidcProvider) -> str:
    user = refused.username or ""
    if refused.reason == accounts.LOCAL_ACCOUNT:
        return _(
            "A local account named %(user)s already exists. Sign in with its password, or ask the "
            "functioneel beheerder to link it to your account at %(label)s.",
            user=user,
            label=provider.label,
        )
    if refused.reason == accounts.LINKED_ELSEWHERE:
        return _("The user name %(user)s already belongs to another sign-in account.", user=user)
    if refused.reason == accounts.INACTIVE:
        return _("Your account is deactivated. Ask the functioneel beheerder.")
    return _("%(label)s did not tell who you are (no user name). Ask your administrator.", label=provider.label)


def _refused_by_provider(provider: OidcProvider, err: OAuthError) -> tuple[str, int]:
    if err.error in {"access_denied", "consent_required", "login_required", "interaction_required"}:
        message = _("The sign-in at %(label)s was cancelled or refused.", label=provider.label)
        return _failure(provider, 401, message)
    if err.error == "mismatching_state":
        message = _("This sign-in has expired or was started in another window. Please start again.")
        return _failure(provider, 400, message)
    log.warning("OpenID provider %s refused: %s", provider.name, err.error)
    return _failure(provider, 401, _("The answer of %(label)s could not be verified.", label=provider.label))


def _unreachable(provider: OidcProvider) -> str:
    return _("%(label)s cannot be reached at the moment. Please try again in a minute.", label=provider.label)


def _claimed_username(provider: OidcProvider, claims: dict[str, Any]) -> str | None:
    value = accounts.claim(claims, provider.username_claim)
    return value[:100] if isinstance(value, str) else None


def _failure(provider: OidcProvider, status: int, message: str, username: str | None = None) -> tuple[str, int]:
    if request.endpoint == "oidc.callback":
        g.audit_login = {"username": username, "result": "failure", "method": f"oidc:{provider.name}"}
    page = render_template("oidc_error.html", message=message, provider=provider, next_url=session.get(_NEXT, ""))
    return page, status
