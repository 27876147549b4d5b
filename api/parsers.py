"""Request body parsers: DRF's own, with a bound on how deeply JSON may nest."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Our deepest real body is a list of objects inside an object; 32 leaves room for any client.
MAX_JSON_DEPTH = 32
TOO_DEEP = f"JSON nested more than {MAX_JSON_DEPTH} levels deep is refused."


def json_depth(data) -> int:
    """How many arrays and objects deep `data` goes, counted without recursion."""
    deepest = 0
    stack = [(data, 1)] if isinstance(data, (list, dict)) else []
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (list, dict)))
    return deepest


class JSONParser(parsers.JSONParser):
    """A body nested past MAX_JSON_DEPTH is a 400, however deep: Python's decoder would
    otherwise raise RecursionError (a 500) at about a thousand levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(TOO_DEEP)
        return data
