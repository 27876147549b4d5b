from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.views.auth import CodeRequestView, LogoutView, RefreshView, TokenView
from api.views.health import HealthView
from api.views.me import MeExportView, MeHomeView, MeView

urlpatterns = [
    path("healthz", HealthView.as_view(), name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/auth/code/", CodeRequestView.as_view(), name="auth-code"),
    path("api/auth/token/", TokenView.as_view(), name="auth-token"),
    path("api/auth/token/refresh/", RefreshView.as_view(), name="auth-refresh"),
    path("api/auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("api/me/", MeView.as_view(), name="me"),
    path("api/me/export/", MeExportView.as_view(), name="me-export"),
    path("api/me/home/", MeHomeView.as_view(), name="me-home"),
    # Each area keeps its own routes so work on one does not touch another.
    path("api/", include("api.urls_venues")),
    path("api/", include("api.urls_meals")),
    path("api/", include("api.urls_sms")),
    path("api/", include("api.urls_organisations")),
    path("api/", include("api.urls_calendar")),
    # The phone web front end (web/) answers everything else, from `/`.
    path("", include("web.urls")),
]

# Answer JSON, not HTML, for unmatched URLs and the errors Django handles itself.
handler400 = "api.exceptions.bad_request"
handler404 = "api.exceptions.not_found"
handler500 = "api.exceptions.server_error"
