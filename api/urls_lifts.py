from django.urls import path
from rest_framework.routers import SimpleRouter

from api.views.lifts import DriverView, LiftViewSet, MealLiftView, MyDrivesView

router = SimpleRouter()
router.register("lifts", LiftViewSet, basename="lift")

urlpatterns = [
    path("me/driver/", DriverView.as_view(), name="me-driver"),
    path("me/drives/", MyDrivesView.as_view(), name="me-drives"),
    path("meals/<int:pk>/lift/", MealLiftView.as_view(), name="meal-lift"),
    *router.urls,
]
