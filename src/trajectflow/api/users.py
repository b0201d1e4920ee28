"""User administration for functioneel beheerders: accounts of their own organisation or municipality."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..domain.accounts import MAX_PASSWORD_LENGTH
from ..services.accounts import (
    NewAccount,
    account_tokens,
    create_account,
    get_account,
    list_accounts,
    revoke_account_tokens,
    set_password,
    unlock_account,
    update_account,
)
from .auth import TokenInfoSchema
from .identity import current_actor, service_context
from .schemas import ApiErrorSchema

blp = Blueprint("users", __name__, url_prefix="/api/users", description="User administration (functioneel beheerder)")

ERRORS = (401, 403, 404, 409, 422)


class AccountSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    organisation = fields.String(allow_none=True)
    municipality = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    active = fields.Boolean()
    demo = fields.Boolean(metadata={"description": "a demo account (password `demo`), usable only in demo mode"})
    has_password = fields.Boolean(metadata={"description": "false: sign-in only through OpenID Connect"})
    locked = fields.Boolean(metadata={"description": "locked out after repeated failed sign-ins"})
    failed_sign_ins = fields.Integer()
    live_tokens = fields.Integer()


class AccountQuerySchema(Schema):
    search = fields.String(load_default=None, metadata={"description": "part of the user name or display name"})


class AccountCreateSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    roles = fields.List(fields.String(), required=True)
    display_name = fields.String(load_default="", validate=validate.Length(max=200))
    organisation = fields.String(load_default=None, allow_none=True, metadata={"description": "default: yours"})
    municipality = fields.String(load_default=None, allow_none=True, metadata={"description": "municipal staff"})
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=254))
    password = fields.String(
        load_default=None,
        allow_none=True,
        load_only=True,
        validate=validate.Length(max=MAX_PASSWORD_LENGTH),
        metadata={"description": "at least 12 characters, not the user name; none: OpenID Connect only"},
    )


class AccountChangeSchema(Schema):
    display_name = fields.String(validate=validate.Length(max=200))
    roles = fields.List(fields.String())
    organisation = fields.String(allow_none=True)
    municipality = fields.String(allow_none=True)
    email = fields.String(allow_none=True, validate=validate.Length(max=254))
    active = fields.Boolean(metadata={"description": "false deactivates the account and revokes its tokens"})


class PasswordSchema(Schema):
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=MAX_PASSWORD_LENGTH),
        metadata={"description": "at least 12 characters, not the user name (demo accounts exempt)"},
    )


class CountSchema(Schema):
    username = fields.String()
    count = fields.Integer()


def _errors(*codes: int):  # type: ignore[no-untyped-def]
    def decorate(view):  # type: ignore[no-untyped-def]
        for code in codes:
            view = blp.alt_response(code, schema=ApiErrorSchema)(view)
        return view

    return decorate


@blp.route("")
class Users(MethodView):
    @blp.arguments(AccountQuerySchema, location="query")
    @blp.response(200, AccountSchema(many=True))
    @_errors(401, 403, 422)
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """The accounts of your organisation (or municipality), by user name."""
        return list_accounts(service_context(), current_actor(), args.get("search"))

    @blp.arguments(AccountCreateSchema)
    @blp.response(201, AccountSchema)
    @_errors(*ERRORS)
    def post(self, body: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Create an account in your organisation (or municipality); 409 when the user name is taken."""
        return create_account(service_context(), current_actor(), NewAccount(**body))


@blp.route("/<string:username>")
class User(MethodView):
    @blp.response(200, AccountSchema)
    @_errors(401, 403, 404)
    def get(self, username: str):  # type: ignore[no-untyped-def]
        """One account, with its lock-out state and number of live API tokens."""
        return get_account(service_context(), current_actor(), username)

    @blp.arguments(AccountChangeSchema)
    @blp.response(200, AccountSchema)
    @_errors(*ERRORS)
    def patch(self, body: dict[str, Any], username: str):  # type: ignore[no-untyped-def]
        """Change roles, display name, email, organisation/municipality or `active` (false revokes its tokens)."""
        return update_account(service_context(), current_actor(), username, body)


@blp.route("/<string:username>/password")
class Password(MethodView):
    @blp.arguments(PasswordSchema)
    @blp.response(200, CountSchema)
    @_errors(*ERRORS)
    def post(self, body: dict[str, Any], username: str):  # type: ignore[no-untyped-def]
        """Set a new password; every API token of the account is revoked (`count`)."""
        revoked = set_password(service_context(), current_actor(), username, body["password"])
        return {"username": username, "count": revoked}


@blp.route("/<string:username>/unlock")
class Unlock(MethodView):
    @blp.response(200, CountSchema)
    @_errors(401, 403, 404)
    def post(self, username: str):  # type: ignore[no-untyped-def]
        """Lift a lock-out after repeated failed sign-ins (`count`: failures forgotten)."""
        return {"username": username, "count": unlock_account(service_context(), current_actor(), username)}


@blp.route("/<string:username>/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenInfoSchema(many=True))
    @_errors(401, 403, 404)
    def get(self, username: str):  # type: ignore[no-untyped-def]
        """The account's API tokens (never their secrets), newest first."""
        return account_tokens(service_context(), current_actor(), username)

    @blp.response(200, CountSchema)
    @_errors(401, 403, 404)
    def delete(self, username: str):  # type: ignore[no-untyped-def]
        """Revoke every live API token of the account (`count`)."""
        return {"username": username, "count": revoke_account_tokens(service_context(), current_actor(), username)}
