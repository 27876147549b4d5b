"""Celery tasks of the web front end."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task
def purge_sessions() -> int:
    """Delete web sessions that have expired; they hold who was signed in, and nothing else
    ever removes them from the database. Returns how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
