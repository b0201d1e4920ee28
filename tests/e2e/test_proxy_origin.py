"""Behind a reverse proxy the client's address comes from X-Forwarded-For, but only when proxies are trusted."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from tests.conftest import LiveServer
from trajectflow.store.security_models import LoginFailure

CLIENT = "203.0.113.7"


def _failed_sign_in_origin(ctx, clock, hops: int) -> str | None:  # type: ignore[no-untyped-def]
    ctx.settings = replace(ctx.settings, proxy_hops=hops)
    server = LiveServer(ctx, clock)
    try:
        response = server.request(
            "POST",
            "/api/auth/token",
            json={"username": "nobody", "password": "wrong"},
            headers={"X-Forwarded-For": CLIENT},
        )
        assert response.status_code == 401, response.text
    finally:
        server.stop()
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(LoginFailure.origin_ip).order_by(LoginFailure.id.desc()).limit(1))


@pytest.mark.parametrize(("hops", "expected"), [(0, "127.0.0.1"), (1, CLIENT)])
def test_client_address_follows_trusted_proxies_only(ctx, clock, hops: int, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert _failed_sign_in_origin(ctx, clock, hops) == expected
