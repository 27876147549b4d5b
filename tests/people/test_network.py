"""The client's address: REMOTE_ADDR, or X-Forwarded-For only as far as our own proxies."""

import pytest

from people.network import client_ip, client_network


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for", "client"),
    [
        (0, "198.51.100.7", None, "198.51.100.7"),
        (0, "198.51.100.7", "203.0.113.9", "198.51.100.7"),
        (0, "198.51.100.7", "203.0.113.9, 192.0.2.1", "198.51.100.7"),
        (1, "10.0.0.2", None, "10.0.0.2"),
        (1, "10.0.0.2", "", "10.0.0.2"),
        (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "203.0.113.9, 198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "203.0.113.9,198.51.100.7 ", "198.51.100.7"),
        (2, "10.0.0.3", "203.0.113.9, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "10.0.0.3", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "203.0.113.9, 2001:DB8::1", "2001:db8::1"),
        (1, "10.0.0.2", "203.0.113.9, not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", "203.0.113.9, ", "10.0.0.2"),
    ],
)
def test_the_client_is_the_nth_address_from_the_right(
    settings, proxies, remote_addr, forwarded_for, client
):
    settings.NUM_PROXIES = proxies

    assert client_ip(remote_addr=remote_addr, forwarded_for=forwarded_for) == client


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:a:b:c:d", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", ""),
    ],
)
def test_an_ipv6_client_counts_by_its_slash_64(address, network):
    assert client_network(address) == network
