"""Leaving Blether and the export live below both faces (meals.services.leaving.person_delete,
meals.exports.person_export) so the web front end shares them; api/ adds its inbound texts
through the receivers in api/receivers.py."""

from meals.exports import person_export
from meals.services.leaving import person_delete

__all__ = ["person_delete", "person_export"]
