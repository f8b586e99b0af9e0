"""Who is asking: the key the rate limiters count requests by (the API's and the staff sign-in's)."""

from __future__ import annotations

from starlette.requests import Request


def client_key(request: Request) -> str:
    """The client's address as the rate limiter's key (in memory only, forgotten when its window passes). Behind
    a proxy uvicorn takes it from X-Forwarded-For, trusting only --forwarded-allow-ips."""
    return request.client.host if request.client else "unknown"
