from rest_framework.routers import SimpleRouter

from api.views.venues import BookingViewSet, VenueViewSet

router = SimpleRouter()
router.register("venues", VenueViewSet, basename="venue")
router.register("bookings", BookingViewSet, basename="booking")

urlpatterns = router.urls
