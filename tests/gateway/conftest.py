"""Tests of the gateway, by level.

- Unit tests (``test_problems``, ``test_auth``, ``test_ratelimit``, ``test_inputs``,
  ``test_openapi``) check the pure parts with no broker: tokens are signed in the test with a
  key pair generated for the run, time is a fake clock.
- Service tests (``test_service.py``) start the real gateway container on the run's RabbitMQ
  vhost, beside a fake identity service (a small nameko service named ``identity`` in the test
  module, signing nothing itself: tokens come from the same ``mint`` as in the unit tests), and
  speak HTTP to it as a client would. No timing assertions: a wait has a deadline only so that
  a missing outcome fails the test.

The real identity service behind the gateway is the business of ``tests/e2e``.
"""

from __future__ import annotations

import pytest

from services.common.credentials import publish_token_key
from tests.tokens import TokenMint


@pytest.fixture(scope="session")
def mint(keys_dir) -> TokenMint:
    """The run's token key, in the keyring too: the services behind the gateway check the
    tokens it passes on (services/common/credentials.py)."""
    mint = TokenMint()
    publish_token_key({"KEYS": {"DIR": keys_dir}}, mint.kid, mint.public_pem)
    return mint
