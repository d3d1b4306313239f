"""Broker accounts of outside systems that read the public exchange (docs/subscriptions.md).

An account is a RabbitMQ user ``sub.NAME`` (tagged ``imi-subscriber``, never an administrator)
with a generated password and, on the services' vhost, only:

- configure and write on ``sub.NAME.*``: it declares, binds and deletes its own queues;
- read on ``imi.public``, its own queues, and the replay streams its entitlement covers
  (public_events.replay_streams): it binds to the public exchange and consumes;
- a topic permission on ``imi.public`` whose read pattern is exactly its entitled event names:
  the broker refuses a binding with any other key (``#`` included);
- limits on its connections and channels, and an operator policy bounding every ``sub.*``
  queue, so an abandoned queue cannot fill the broker's disk (the oldest messages go first;
  the replay stream still has them).

Everything else (a service's exchange, ``nameko-rpc``, another queue, publishing anywhere) is
refused by the broker. The accounts are made with ``rabbitmqctl`` (the management plugin is not
enabled on every broker; rabbitmqctl needs none): the command line is ``RABBITMQCTL`` in the
configuration, else the ``IMI_RABBITMQCTL`` environment variable (deploy/lib/rabbitmq.sh sets it
for the broker it chose), else ``rabbitmqctl``. Only the password's salted hash goes to it, on
standard input (``import_definitions``), never on a command line. The broker is the only record
of the accounts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shlex
import subprocess
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from services.common.config import AMQP_URI
from services.notifications.public_events import (
    PUBLIC_EXCHANGE,
    PublicEvent,
    events_of_regex,
    replay_streams,
    routing_key_regex,
)

TAG = "imi-subscriber"
USER_PREFIX = "sub."
NAME = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
LIMITS = {"max-connections": 10, "max-channels": 50}
QUEUE_POLICY = "imi-subscriber-queues"
QUEUE_POLICY_DEFINITION = {"max-length-bytes": 1_000_000_000, "max-length": 1_000_000}


class SubscriberError(RuntimeError):
    """A refused operator command (a bad name, an unknown subscriber, a failed rabbitmqctl)."""


@dataclass
class Subscriber:
    name: str
    events: list[PublicEvent]
    replay: list[str]

    @property
    def user(self) -> str:
        return USER_PREFIX + self.name

    @property
    def queue_prefix(self) -> str:
        return f"{USER_PREFIX}{self.name}."


@dataclass
class Account:
    subscriber: Subscriber
    uri: str  # with the password: shown once


def rabbitmqctl_command(config: dict) -> list[str]:
    line = config.get("RABBITMQCTL") or os.environ.get("IMI_RABBITMQCTL") or "rabbitmqctl"
    return shlex.split(line)


def vhost_of(amqp_uri: str) -> str:
    path = urlsplit(amqp_uri).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def _ctl(config: dict, *args: str, stdin: str | None = None) -> str:
    command = [*rabbitmqctl_command(config), "-q", *args]
    try:
        done = subprocess.run(  # noqa: S603 (the operator's rabbitmqctl, fixed arguments)
            command, input=stdin, capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SubscriberError(f"cannot run {command[0]}: {exc}") from None
    if done.returncode != 0:
        raise SubscriberError(f"rabbitmqctl {args[0]} failed: {(done.stderr or done.stdout)}")
    return done.stdout


def _rows(output: str) -> list[dict]:
    """rabbitmqctl's ``--formatter json`` output: a JSON list."""
    output = output.strip()
    return json.loads(output) if output else []


def permissions(subscriber: Subscriber) -> tuple[str, str, str]:
    """(configure, write, read) regexes of a subscriber on the vhost."""
    own = re.escape(subscriber.queue_prefix) + ".*"
    readable = [re.escape(PUBLIC_EXCHANGE), own, *map(re.escape, subscriber.replay)]
    return f"^{own}$", f"^{own}$", "^(" + "|".join(readable) + ")$"


def _check_name(name: str) -> None:
    if not NAME.match(name):
        raise SubscriberError(
            f"bad subscriber name {name!r}: 2 to 40 of a-z, 0-9 and -, starting with a letter"
        )


def _public_uri(amqp_uri: str, user: str, password: str, host: str | None) -> str:
    parts = urlsplit(amqp_uri)
    hostname = host or parts.hostname or "localhost"
    port = parts.port or 5672
    vhost = quote(vhost_of(amqp_uri), safe="")
    return f"amqp://{quote(user, safe='')}:{quote(password, safe='')}@{hostname}:{port}/{vhost}"


def add(config: dict, name: str, events: list[PublicEvent], host: str | None = None) -> Account:
    """Create (or re-create, with a new password) the account of subscriber ``name``."""
    _check_name(name)
    subscriber = Subscriber(name, events, replay_streams(events))
    vhost = vhost_of(config[AMQP_URI])
    existing = {row["user"]: row for row in _users(config)}
    if subscriber.user in existing and TAG not in existing[subscriber.user]["tags"]:
        raise SubscriberError(f"user {subscriber.user} exists and is not a subscriber account")
    password = secrets.token_urlsafe(24)
    configure, write, read = permissions(subscriber)
    definitions = {  # one rabbitmqctl call for the user, its limits and its permissions
        "users": [
            {
                "name": subscriber.user,
                "password_hash": password_hash(password),
                "hashing_algorithm": "rabbit_password_hashing_sha256",
                "tags": [TAG],
                "limits": LIMITS,
            }
        ],
        "permissions": [
            {"user": subscriber.user, "vhost": vhost, "configure": configure, "write": write,
             "read": read}
        ],
        "topic_permissions": [
            {"user": subscriber.user, "vhost": vhost, "exchange": PUBLIC_EXCHANGE,
             "write": "^$", "read": routing_key_regex(events)}
        ],
    }  # fmt: skip
    _ctl(config, "import_definitions", "--format", "json", stdin=json.dumps(definitions))
    _ctl(
        config, "set_operator_policy", "-p", vhost, "--apply-to", "queues", QUEUE_POLICY,
        "^" + re.escape(USER_PREFIX), json.dumps(QUEUE_POLICY_DEFINITION),
    )  # fmt: skip
    return Account(subscriber, _public_uri(config[AMQP_URI], subscriber.user, password, host))


def password_hash(password: str) -> str:
    """RabbitMQ's salted SHA-256 password hash: only the hash goes to rabbitmqctl."""
    salt = secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def _users(config: dict) -> list[dict]:
    rows = _rows(_ctl(config, "list_users", "--formatter", "json"))
    for row in rows:  # tags: a list on 3.10, a comma-separated string on older brokers
        tags = row.get("tags") or []
        row["tags"] = tags if isinstance(tags, list) else [t for t in tags.split(",") if t]
    return rows


def listed(config: dict) -> list[Subscriber]:
    """The subscriber accounts with their entitlement on the services' vhost."""
    vhost = vhost_of(config[AMQP_URI])
    users = [row["user"] for row in _users(config) if TAG in row["tags"]]
    topics = _rows(_ctl(config, "list_topic_permissions", "-p", vhost, "--formatter", "json"))
    reads = {row["user"]: row["read"] for row in topics if row.get("exchange") == PUBLIC_EXCHANGE}
    found = []
    for user in sorted(users):
        if user in reads:
            events = events_of_regex(reads[user])
            found.append(Subscriber(user[len(USER_PREFIX) :], events, replay_streams(events)))
    return found


def remove(config: dict, name: str) -> None:
    """Delete the account (its queues stay until the operator deletes them: they may still
    hold events the outside system wants; ``rabbitmqctl delete_queue``)."""
    _check_name(name)
    user = USER_PREFIX + name
    existing = {row["user"]: row for row in _users(config)}
    if user not in existing or TAG not in existing[user]["tags"]:
        raise SubscriberError(f"no subscriber {name}")
    _ctl(config, "delete_user", user)
