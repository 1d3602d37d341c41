"""The local stack's and the tests' free ports: never one handed out twice, never one an outgoing connection may
take while the process that listens on it is restarted."""

import itertools
import random
import socket

from accordeer.localstack.kafka import _outgoing_ports_start, free_port


def test_free_ports_are_distinct_bindable_and_below_the_outgoing_range():
    ports = [free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)
    outgoing = _outgoing_ports_start()
    assert outgoing > 21000, "this machine has no outgoing range to stay below; the test says nothing here"
    assert all(20000 <= port < outgoing for port in ports)
    with socket.socket() as s:
        s.bind(("127.0.0.1", ports[-1]))  # nothing holds it


def test_a_port_in_use_is_not_handed_out(monkeypatch):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        taken = held.getsockname()[1]
        # first the port in use, then any: the one after it may be in use too, or handed out before in this run
        others = random.Random()  # its own: random.randrange itself is patched below
        choices = itertools.chain([taken], (others.randrange(20000, 60000) for _ in itertools.count()))
        monkeypatch.setattr("accordeer.localstack.kafka.random.randrange", lambda low, high: next(choices))
        monkeypatch.setattr("accordeer.localstack.kafka._outgoing_ports_start", lambda: 60000)
        assert free_port() != taken
