from django.urls import path
from rest_framework.routers import SimpleRouter

from api.views.flyers import MealFlyerView
from api.views.meals import MealViewSet, MySignupsView
from api.views.series import SeriesViewSet

router = SimpleRouter()
router.register("meals", MealViewSet, basename="meal")
router.register("series", SeriesViewSet, basename="series")

urlpatterns = [
    path("me/signups/", MySignupsView.as_view(), name="me-signups"),
    path("meals/<int:pk>/flyer.pdf", MealFlyerView.as_view(), name="meal-flyer"),
    *router.urls,
]
