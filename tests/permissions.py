"""The permission matrix: (method, path, role) -> expected status, checked over the API.

Each area keeps its own table in tests/api/test_permissions_<area>.py and calls
`check_matrix` with a `world` that maps role names to API clients and holds the
objects the paths refer to.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    method: str
    path: str  # may use {names} filled from the world's ids
    role: str  # "anonymous" or a key of world.clients
    expected: int | tuple[int, ...]
    body: dict | None = None


def check_matrix(rules: list[Rule], *, clients: dict, ids: dict) -> None:
    failures = []
    for rule in rules:
        client = clients[rule.role]
        path = rule.path.format(**ids)
        call = getattr(client, rule.method.lower())
        response = (
            call(path, rule.body or {}, format="json") if rule.body is not None else call(path)
        )
        allowed = rule.expected if isinstance(rule.expected, tuple) else (rule.expected,)
        if response.status_code not in allowed:
            failures.append(
                f"{rule.method} {path} as {rule.role}: {response.status_code}, expected {allowed}"
            )
    assert not failures, "\n".join(failures)
