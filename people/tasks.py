from celery import shared_task

from people.services import login_codes_purge


@shared_task(name="people.tasks.purge_login_codes", ignore_result=True)
def purge_login_codes() -> int:
    return login_codes_purge()
