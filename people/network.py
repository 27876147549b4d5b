"""Who is asking, by network address: the one rule for the client IP, for every face.

Plain values in, a plain value out, so the API's throttles, the web front end and the
rate limits below them all count the same address. Pass request.META's REMOTE_ADDR and
HTTP_X_FORWARDED_FOR.
"""

import ipaddress

from django.conf import settings


def client_ip(*, remote_addr: str, forwarded_for: str | None) -> str:
    """The address of the client, trusting X-Forwarded-For only as far as our own proxies.

    With NUM_PROXIES = 0 the client is REMOTE_ADDR and the header is ignored: anyone can
    write it. With N proxies, each appends the address it was reached from, so the client
    is the Nth entry from the right; entries further left were written by the client and
    are never used. A header shorter than the chain gives its leftmost entry, as DRF does.
    """
    remote_addr = remote_addr or ""
    proxies = settings.NUM_PROXIES
    if proxies <= 0 or not forwarded_for:
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # Not an address our proxy would write: count the request against the proxy itself.
        return remote_addr


def client_network(address: str) -> str:
    """Whom a limit on walking through something counts: an IPv4 address as it is, an IPv6
    one as its /64, the least any home or phone connection is given, so a client cannot buy
    a fresh allowance by stepping to the next of its own 2**64 addresses."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
