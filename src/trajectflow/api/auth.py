"""Sign-in for API clients: exchange a user name and password for a bearer token; manage tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..services.login_rate import check_sign_in_rate
from ..services.tokens import MAX_TOKEN_DAYS, issue_token, list_tokens, revoke_token
from ..services.users import authenticate
from .identity import current_actor, service_context
from .schemas import ApiErrorSchema

blp = Blueprint("api_auth", __name__, url_prefix="/api/auth", description="Sign-in and API tokens")

DEFAULT_TOKEN_NAME = "api sign-in"


class SignInSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000), load_only=True)
    name = fields.String(load_default=DEFAULT_TOKEN_NAME, validate=validate.Length(min=1, max=100))


class IssuedTokenSchema(Schema):
    id = fields.Integer()
    token = fields.String(metadata={"description": "the bearer token; shown only now, keep it secret"})
    token_type = fields.String(dump_default="Bearer")
    name = fields.String()
    expires_at = fields.DateTime(allow_none=True)


class PersonalTokenSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    expires_in_days = fields.Integer(load_default=90, validate=validate.Range(min=1, max=MAX_TOKEN_DAYS))


class TokenInfoSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "the first characters of the token, to tell tokens apart"})
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class MeSchema(Schema):
    username = fields.String()
    roles = fields.List(fields.String())
    organisation = fields.String(allow_none=True)
    municipality = fields.String(allow_none=True)
    municipalities = fields.List(fields.String(), metadata={"description": "whose cases you may see"})


def _issued(issued: Any) -> dict[str, Any]:
    return {
        "id": issued.id,
        "token": issued.token,
        "token_type": "Bearer",
        "name": issued.name,
        "expires_at": issued.expires_at,
    }


@blp.route("/token")
class SignIn(MethodView):
    @blp.doc(security=[])
    @blp.arguments(SignInSchema)
    @blp.response(201, IssuedTokenSchema)
    @blp.alt_response(401, schema=ApiErrorSchema)
    @blp.alt_response(429, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Sign in with user name and password; returns a bearer token valid for TRAJECTFLOW_API_TOKEN_HOURS."""
        ctx = service_context()
        g.audit_login = {"username": body["username"], "result": "failure", "method": "password"}  # until it works
        check_sign_in_rate(ctx, request.remote_addr)
        actor = authenticate(ctx, body["username"], body["password"], request.remote_addr)
        issued = issue_token(ctx, actor.username, body["name"], timedelta(hours=ctx.settings.api_token_hours))
        g.audit_login = {"username": actor.username, "result": "success", "method": "password"}
        return _issued(issued)


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    @blp.alt_response(401, schema=ApiErrorSchema)
    def get(self):  # type: ignore[no-untyped-def]
        """Who you are signed in as, your roles and whose cases you may see."""
        actor = current_actor()
        return {
            "username": actor.username,
            "roles": sorted(actor.roles),
            "organisation": actor.organisation,
            "municipality": actor.municipality,
            "municipalities": sorted(actor.municipalities),
        }


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenInfoSchema(many=True))
    @blp.alt_response(401, schema=ApiErrorSchema)
    def get(self):  # type: ignore[no-untyped-def]
        """Your API tokens (without their secrets), newest first."""
        return list_tokens(service_context(), current_actor())

    @blp.arguments(PersonalTokenSchema)
    @blp.response(201, IssuedTokenSchema)
    @blp.alt_response(401, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Make a personal API token that expires after `expires_in_days`."""
        actor = current_actor()
        issued = issue_token(service_context(), actor.username, body["name"], timedelta(days=body["expires_in_days"]))
        return _issued(issued)


@blp.route("/tokens/<int:token_id>")
class Token(MethodView):
    @blp.response(200, TokenInfoSchema)
    @blp.alt_response(401, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def delete(self, token_id: int):  # type: ignore[no-untyped-def]
        """Revoke a token at once (your own; a functioneel beheerder also those of the accounts they manage)."""
        return revoke_token(service_context(), current_actor(), token_id)
