"""Orchestration for a request. Leaving Blether and the export moved below both faces
(meals/leaving.py) so the web front end shares them; api/ adds its inbound texts through
the receivers in api/receivers.py."""

from meals.leaving import person_delete, person_export

__all__ = ["person_delete", "person_export"]
