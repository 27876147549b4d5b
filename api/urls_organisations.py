from rest_framework.routers import SimpleRouter

from api.views.organisations import OrganisationViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")

urlpatterns = router.urls
