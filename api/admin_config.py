"""Django's admin app with Blether's site as its default one (api/admin_site.py); named in
INSTALLED_APPS in place of `django.contrib.admin`. A module of its own, so that `api`'s own
AppConfig stays the only one in api/apps.py."""

from django.contrib.admin.apps import AdminConfig


class BletherAdminConfig(AdminConfig):
    default_site = "api.admin_site.BletherAdminSite"
