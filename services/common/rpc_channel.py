"""One AMQP channel per process for the RPC calls it makes, with replies by direct reply-to,
and for the replies it sends.

nameko's callers declare a reply queue bound to the ``nameko-rpc`` topic exchange, and each
reply then goes through that exchange, into the queue, to the consumer, which acks it: a
queue, a topic lookup and an ack per call, in the broker and in the caller. RabbitMQ's
direct reply-to (``amq.rabbitmq.reply-to``) hands a reply straight to the channel that sent
the request, with no queue and no ack. Requests go out on that same channel, as the broker
requires, one at a time under a lock so that two green threads' frames never interleave; so
do the replies of the process's ``@rpc`` (services.common.entrypoints). nameko's Publisher
would build a kombu Connection to look a producer up in a pool, and wrap every publish in
``ensure()``, for each message: on the hot path of every API call that was a tenth of the
gateway's time (docs/performance.md).

The callee must answer to the default exchange when ``reply_to`` is a direct reply-to
address; services.common.entrypoints' ``@rpc`` does, and still answers nameko's own callers
through their reply queues. A service on nameko's stock ``@rpc`` cannot answer these calls.

When the connection breaks, the calls waiting on it are answered at once with None (their
callers raise Unavailable, as after a timeout) and the channel is opened again: before the
next call, or by the reading thread after a pause. The connection keeps AMQP heartbeats
(nameko's ``HEARTBEAT``, 60 s by default), so a connection that died silently is noticed too.
"""

from __future__ import annotations

import itertools
import logging
import uuid

import amqp
import eventlet
from amqp.exceptions import ConnectionError as AmqpConnectionError
from eventlet.event import Event
from eventlet.semaphore import Semaphore
from kombu import Connection
from kombu.exceptions import OperationalError as KombuOperationalError
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_HEARTBEAT,
    HEARTBEAT_CONFIG_KEY,
    LOGIN_METHOD_CONFIG_KEY,
    NON_PERSISTENT,
)
from nameko.extensions import SharedExtension
from nameko.rpc import get_rpc_exchange

from services.common import serialization

log = logging.getLogger(__name__)

DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"
RECONNECTABLE = (OSError, AmqpConnectionError, KombuOperationalError)
# What a call to a broker that cannot be reached raises (services.common.rpc: Unavailable).
BROKER_ERRORS = RECONNECTABLE
REOPEN_PAUSE_SECONDS = 1.0


class RpcChannel(SharedExtension):
    def setup(self) -> None:
        serialization.install()  # every process that calls or answers reads and writes JSON
        config = self.container.config
        self._connection_args = (
            config[AMQP_URI_CONFIG_KEY],
            config.get(AMQP_SSL_CONFIG_KEY),
            config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        self.exchange = get_rpc_exchange(config)
        self._heartbeat = config.get(HEARTBEAT_CONFIG_KEY, DEFAULT_HEARTBEAT)
        # heartbeats are checked at least twice per interval, as py-amqp needs
        self._tick = self._heartbeat / 4 if self._heartbeat else None
        self._lock = Semaphore()
        self._waiting: dict[str, Event] = {}
        self._connection: Connection | None = None
        self._channel = None
        self._prefix = uuid.uuid4().hex
        self._numbers = itertools.count()
        self._reader = None

    def start(self) -> None:
        self._reader = self.container.spawn_managed_thread(self._read, identifier="rpc-replies")

    def stop(self) -> None:
        self._halt()

    def kill(self) -> None:
        self._halt()

    def _halt(self) -> None:
        if self._reader is not None:
            self._reader.kill()
            self._reader = None
        with self._lock:
            self._discard(self._connection, graceful=True)

    def call(self, exchange: str, routing_key: str, body: bytes, **properties) -> tuple[str, Event]:
        """Publishes a request: its correlation id, and the event that is sent the reply (an
        amqp Message), or None if the connection broke first."""
        correlation_id = f"{self._prefix}.{next(self._numbers)}"
        reply = Event()
        self._waiting[correlation_id] = reply
        message = amqp.Message(
            body,
            correlation_id=correlation_id,
            reply_to=DIRECT_REPLY_TO,
            delivery_mode=NON_PERSISTENT,
            **properties,
        )
        try:
            self._publish(message, exchange, routing_key)
        except BaseException:
            self._waiting.pop(correlation_id, None)
            raise
        return correlation_id, reply

    def publish(self, body: bytes, exchange: str, routing_key: str, **properties) -> None:
        """Publishes a transient message that expects nothing back: an RPC reply."""
        message = amqp.Message(body, delivery_mode=NON_PERSISTENT, **properties)
        self._publish(message, exchange, routing_key)

    def _publish(self, message, exchange: str, routing_key: str) -> None:
        """One message, straight to py-amqp (kombu's Producer would check, encode and wrap it
        again), without confirms; a broken connection is opened again once before the message
        is given up. The exchange must exist: those used here are declared by their consumers
        or by ``_open``."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    self._open().basic_publish(message, exchange, routing_key)
                    return
                except RECONNECTABLE:
                    self._discard(self._connection)
                    if attempt == 2:
                        raise

    def forget(self, correlation_id: str) -> None:
        """Stops waiting for a reply that is no longer awaited (its caller timed out)."""
        self._waiting.pop(correlation_id, None)

    def _open(self):
        if self._channel is None:
            uri, ssl, login_method = self._connection_args
            connection = Connection(
                uri, ssl=ssl, login_method=login_method, heartbeat=self._heartbeat
            )
            # one try, no pause: a call to an unreachable broker fails at once (kombu would
            # wait 2 s and try again, holding the lock and every caller behind it)
            connection.ensure_connection(max_retries=0)
            channel = connection.channel()
            self.exchange(channel).declare()
            channel.basic_consume(DIRECT_REPLY_TO, no_ack=True, callback=self._on_reply)
            self._connection, self._channel = connection, channel
        return self._channel

    def _discard(self, connection: Connection | None, graceful: bool = False) -> None:
        """Drops ``connection`` if it is still the current one, and answers its calls. A broken
        one is closed without the closing handshake, which would read from the socket the
        reading thread may be blocked on; closing the socket wakes that thread."""
        if connection is None or connection is not self._connection:
            return
        self._connection = self._channel = None
        waiting, self._waiting = self._waiting, {}
        for reply in waiting.values():
            reply.send(None)
        try:
            connection.release() if graceful else connection.collect()
        except Exception:  # closing what is already broken is best effort
            log.debug("closing the RPC connection failed", exc_info=True)

    def _on_reply(self, message) -> None:
        reply = self._waiting.pop(message.properties.get("correlation_id"), None)
        if reply is not None:
            reply.send(message)

    def _read(self) -> None:
        while True:
            connection = self._connection
            if connection is None:
                with self._lock:
                    try:
                        self._open()
                    except Exception as exc:  # retried after a pause, whatever the cause
                        log.warning("RPC channel cannot reach the broker: %s", exc)
                if self._connection is None:
                    eventlet.sleep(REOPEN_PAUSE_SECONDS)
                continue
            try:
                connection.drain_events(timeout=self._tick)
            except TimeoutError:
                with self._lock:
                    self._check_heartbeat(connection)
            except Exception as exc:  # a broken connection, or a channel the broker closed
                if connection is self._connection:
                    log.warning("RPC channel lost its connection: %s", exc)
                with self._lock:
                    self._discard(connection)

    def _check_heartbeat(self, connection: Connection) -> None:
        """Sends a heartbeat if one is due (under the lock: it is a frame like any other), and
        drops the connection if the broker's have stopped."""
        try:
            connection.heartbeat_check()
        except Exception as exc:
            log.warning("RPC channel's connection stopped answering: %s", exc)
            self._discard(connection)
