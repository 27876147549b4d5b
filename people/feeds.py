"""The secret address of a person's calendar feed.

The address carries a token of two halves: a random key, the only part stored (on the
person), and an HMAC of that key under SECRET_KEY. So neither a copy of the table nor a guess
gives a working address, the token can be shown again whenever the person asks for it, and a
new key (a reset) kills every address made from the old one. A changed SECRET_KEY kills them
all, as it does sign-in codes.
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.urls import reverse

KEY_BYTES = 16
# token_urlsafe(16) and a 16-byte MAC in unpadded base64url are 22 characters each.
HALF = 22


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def _mac(key: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"calendar-feed:{key}".encode(), hashlib.sha256
    ).digest()[:KEY_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def feed_token(key: str) -> str:
    """The token of the feed address made from `key`."""
    return key + _mac(key)


def key_of(token: str) -> str | None:
    """The key a well-made token carries, checked in constant time; None for anything else."""
    if len(token) != 2 * HALF or not token.isascii():
        return None
    key, mac = token[:HALF], token[HALF:]
    if not hmac.compare_digest(mac, _mac(key)):
        return None
    return key


def feed_urls(token: str) -> tuple[str, str]:
    """The feed's address, and the same as webcal:// for a phone to subscribe with a tap. The
    token rides in the query string, which no log of ours keeps: gunicorn's access log and
    Django's request log write the path alone."""
    url = f"{settings.PUBLIC_BASE_URL}{reverse('calendar-feed')}?token={token}"
    return url, "webcal://" + url.split("://", 1)[1]
