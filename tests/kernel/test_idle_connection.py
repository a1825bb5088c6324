"""A pooled PostgreSQL connection is checked before use by looking at its socket, without a round trip: one the
server has ended (it wrote its farewell, or closed the socket) is dropped; an idle one in good order is used."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import pytest

from survey.kernel.database import idle_connection_alive
from survey.kernel.extensions import db


@dataclass
class Connection:
    """What the check reads of a psycopg connection."""

    sock: socket.socket
    closed: bool = False
    broken: bool = False

    def fileno(self) -> int:
        return self.sock.fileno()


@pytest.fixture
def server_and_connection():
    server, client = socket.socketpair()
    with server, client:
        yield server, Connection(client)


def test_an_idle_connection_in_good_order_is_used(server_and_connection):
    _server, connection = server_and_connection
    assert idle_connection_alive(connection)


@pytest.mark.parametrize("ended", ["farewell", "closed"])
def test_a_connection_the_server_has_ended_is_dropped(server_and_connection, ended):
    server, connection = server_and_connection
    if ended == "farewell":  # PostgreSQL's ErrorResponse on shutdown: "terminating connection due to administrator…"
        server.sendall(b"E\x00\x00\x00\x05S")
    else:
        server.close()
    assert not idle_connection_alive(connection)


@pytest.mark.parametrize("state", [{"closed": True}, {"broken": True}])
def test_a_closed_or_broken_connection_is_dropped(server_and_connection, state):
    _server, connection = server_and_connection
    assert not idle_connection_alive(Connection(connection.sock, **state))


def test_the_app_checks_its_pooled_connections_this_way_on_postgresql_only(app, app_ctx):
    """SQLite (a file, nothing to lose between requests) keeps SQLAlchemy's own check."""
    on_postgresql = db.engine.dialect.name == "postgresql"
    assert (db.engine.dialect.do_ping is idle_connection_alive) == on_postgresql
