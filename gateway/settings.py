"""The gateway's settings, read from the ``GATEWAY`` section of the container config."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.config import deployed_services

GATEWAY = "GATEWAY"
MAX_BODY_BYTES = "MAX_BODY_BYTES"
LOGIN_RATE_PER_MINUTE = "LOGIN_RATE_PER_MINUTE"
SERVICES = "SERVICES"
TRUSTED_PROXY_HOPS = "TRUSTED_PROXY_HOPS"


@dataclass(frozen=True)
class GatewaySettings:
    max_body_bytes: int = 65536
    login_rate_per_minute: int = 30
    services: tuple[str, ...] = ()  # none given: those of deploy/services
    # How many proxies in front of the gateway append to X-Forwarded-For; 0 trusts none, and
    # the rate limit then counts the socket's peer address.
    trusted_proxy_hops: int = 0


def settings_from_config(config: dict) -> GatewaySettings:
    section = config.get(GATEWAY) or {}
    defaults = GatewaySettings()
    return GatewaySettings(
        max_body_bytes=int(section.get(MAX_BODY_BYTES, defaults.max_body_bytes)),
        login_rate_per_minute=int(
            section.get(LOGIN_RATE_PER_MINUTE, defaults.login_rate_per_minute)
        ),
        services=tuple(section.get(SERVICES) or deployed_services()),
        trusted_proxy_hops=int(section.get(TRUSTED_PROXY_HOPS, defaults.trusted_proxy_hops)),
    )
