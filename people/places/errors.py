"""What a postcode lookup refuses, as domain errors the faces turn into answers."""

from people.errors import DomainError


class InvalidPostcode(DomainError):
    code = "invalid_postcode"
    default_detail = "Enter a UK postcode, like KA21 5AB."


class UnknownPostcode(DomainError):
    code = "unknown_postcode"
    default_detail = "We can't find that postcode. Check it and try again."


class PostcodeServiceDown(DomainError):
    """The postcode service did not answer, and the table has no centre for the district."""

    status_code = 503
    code = "postcode_service_down"
    default_detail = "We can't look up postcodes just now. Please try again in a few minutes."
    retry_after = 60
