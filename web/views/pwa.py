"""The installable app: manifest, service worker (served from / so it may control every page)
and the page shown when there is no signal and nothing cached."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(max_age=86400, public=True)
def manifest(request):
    data = {
        "name": "Blether",
        "short_name": "Blether",
        "description": "Shared lunches and street teas with your neighbours.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f7f3ea",
        "theme_color": "#0b5e55",
        "icons": [
            {"src": static("web/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("web/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("web/icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    response = render(
        request,
        "web/sw.js",
        {
            "shell": [
                static("web/blether.css"),
                static("web/htmx.min.js"),
                static("web/blether.js"),
                "/offline/",
            ]
        },
        content_type="application/javascript",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    return render(request, "web/offline.html")


def not_found_page(request, *args, **kwargs) -> HttpResponse:
    return render(request, "web/not_found.html", {"what": "page"}, status=404)


def csrf_failure(request, reason: str = "") -> HttpResponse:
    """A form sent without its token (an old page, or cookies cleared): say what to do."""
    return render(request, "web/csrf_failure.html", status=403)
