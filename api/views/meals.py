"""Meals, sign-ups, dishes, safety answers and feedback over HTTP.

Each view parses, calls one service (or selector), and serializes. Meals others cannot see
(other hosts' drafts) answer 404; host-only actions on a visible meal answer 403.
"""

import contextlib

from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.response import Response

from api.auth import signed_in_user
from api.db_router import replica_reads
from api.fields import parse_near, whole_id
from api.pagination import UncountedPagination
from api.serializers.common import THROTTLED
from api.serializers.meals import (
    CancelIn,
    MealIn,
    MealOut,
    MealPageOut,
    MealPatchIn,
    MealQueryIn,
    PageQueryIn,
    PublishErrorOut,
    SafetyIn,
    SafetyOut,
)
from api.serializers.signups import (
    DishIn,
    DishOut,
    FeedbackIn,
    FeedbackOut,
    GuestIn,
    HostSignupOut,
    MySignupOut,
    SignupIn,
    SignupOut,
    SignupPatchIn,
    signup_out,
)
from api.throttles import RateLimitThrottle
from meals import nearby, selectors, services
from meals.models import Meal, Signup
from meals.services.errors import MealNotOpen
from meals.services.lifts import signup_with_lift_create
from people.errors import NotAllowed

NOT_VISIBLE = OpenApiResponse(description="No such meal, or not visible to you")
NOT_HOST = OpenApiResponse(description="Only the host may do this")
BAD = OpenApiResponse(description="Invalid input; {field: [message]} or {detail}")


class GuestInviteThrottle(RateLimitThrottle):
    """Per host across all their meals (rate `guest_invites`), so nobody can sweep through
    phone numbers."""

    scope = "guest_invites"

    def ident(self, request, view) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return str(request.user.pk)


# What a sign-up without a lift takes of SignupIn's fields.
_NO_LIFT_FIELDS = frozenset({"party_size", "dietary_needs", "access_needs"})


def _check_paging(request) -> None:
    PageQueryIn(data=request.query_params.dict()).is_valid(raise_exception=True)


def _signup_out(signup: Signup, serializer=SignupOut) -> dict:
    return serializer(selectors.signup_with_position(signup.pk)).data


class MealViewSet(viewsets.GenericViewSet):
    serializer_class = MealOut
    # Any segment reaches the view, so a malformed id is a JSON 404, not Django's HTML page.
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meal.objects.none()
        return selectors.meals_visible_to(signed_in_user(self.request))

    def _fresh(self, meal) -> dict:
        return MealOut(self.get_queryset().get(pk=meal.pk)).data

    def _host_only(self, meal) -> None:
        if meal.host_id != self.request.user.pk:
            raise NotAllowed("Only the host can see this.")

    @extend_schema(
        summary="Find published meals yet to start",
        parameters=[MealQueryIn],
        responses={200: MealPageOut, 400: BAD},
    )
    @replica_reads()
    def list(self, request):
        query = MealQueryIn(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        filters = {
            "start": params.get("from"),
            "end": params.get("to"),
            "kind": params.get("kind"),
            "step_free": params.get("step_free"),
            "has_seats": params.get("has_seats"),
            "dietary": params.get("dietary"),
        }
        if params.get("near"):
            return self._nearby(request, parse_near(params["near"]), params["radius_km"], filters)
        page = self.paginate_queryset(selectors.meals_discover(viewer=request.user, **filters))
        return self.get_paginated_response(MealOut(page, many=True).data)

    def _nearby(self, request, near, radius_km: float, filters: dict) -> HttpResponse:
        """Nearest first, uncounted (`count` null), each meal's JSON built by PostgreSQL."""
        paginator = UncountedPagination()
        page = paginator.paginate_rows(
            lambda offset, limit: nearby.meals_nearby_json(
                viewer=request.user,
                near=near,
                radius_m=radius_km * 1000,
                offset=offset,
                limit=limit,
                **filters,
            ),
            request,
        )
        return paginator.get_paginated_json_response(page)

    @extend_schema(
        summary="Propose a meal (a draft)",
        request=MealIn,
        responses={201: MealOut, 400: BAD},
    )
    def create(self, request):
        data = MealIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        meal = services.meal_create(host=request.user, **data.validated_data)
        return Response(self._fresh(meal), status=status.HTTP_201_CREATED)

    @extend_schema(summary="A meal", responses={200: MealOut, 404: NOT_VISIBLE})
    def retrieve(self, request, pk=None):
        return Response(MealOut(self.get_object()).data)

    @extend_schema(
        summary="The host changes a meal; a new time or place is texted to everyone signed up",
        request=MealPatchIn,
        responses={200: MealOut, 400: BAD, 403: NOT_HOST, 404: NOT_VISIBLE},
    )
    def partial_update(self, request, pk=None):
        meal = self.get_object()
        data = MealPatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        meal = services.meal_update(meal=meal, by=request.user, **data.validated_data)
        return Response(self._fresh(meal))

    @extend_schema(
        summary="Publish a draft; 400 lists every reason it cannot be yet",
        request=None,
        responses={200: MealOut, 400: PublishErrorOut, 403: NOT_HOST, 404: NOT_VISIBLE},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        meal = services.meal_publish(meal=self.get_object(), by=request.user)
        return Response(self._fresh(meal))

    @extend_schema(
        summary="The host cancels; everyone signed up is told and the booking released",
        request=CancelIn,
        responses={200: MealOut, 400: BAD, 403: NOT_HOST, 404: NOT_VISIBLE},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meal = self.get_object()
        data = CancelIn(data=request.data)
        data.is_valid(raise_exception=True)
        meal = services.meal_cancel(meal=meal, by=request.user, **data.validated_data)
        return Response(self._fresh(meal))

    @extend_schema(
        methods=["GET"],
        summary="The safety questions for this meal, with the host's answers",
        responses={200: SafetyOut(many=True), 403: NOT_HOST, 404: NOT_VISIBLE},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Answer safety questions",
        request=SafetyIn,
        responses={200: SafetyOut(many=True), 400: BAD, 403: NOT_HOST, 404: NOT_VISIBLE},
    )
    @action(detail=True, methods=["get", "put"], pagination_class=None)
    def safety(self, request, pk=None):
        meal = self.get_object()
        self._host_only(meal)
        if request.method == "PUT":
            data = SafetyIn(data=request.data)
            data.is_valid(raise_exception=True)
            services.safety_answers_save(
                meal=meal, by=request.user, answers=data.validated_data["answers"]
            )
        return Response(SafetyOut(selectors.safety_sheet(meal=meal), many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="The host's list of everyone signed up (phones masked)",
        parameters=[PageQueryIn],
        responses={200: HostSignupOut(many=True), 400: BAD, 403: NOT_HOST, 404: NOT_VISIBLE},
    )
    @extend_schema(
        methods=["POST"],
        summary="Sign up: confirmed while seats allow, otherwise waitlisted",
        request=SignupIn,
        responses={
            201: SignupOut,
            400: BAD,
            404: NOT_VISIBLE,
            409: OpenApiResponse(description="Already signed up"),
        },
    )
    @action(detail=True, methods=["get", "post"])
    def signups(self, request, pk=None):
        if request.method == "POST":
            return self._sign_up(request, pk)
        # The meal's row alone: neither the list's details nor their queries are needed here.
        meal = get_object_or_404(selectors.meals_visible_rows(request.user), pk=pk)
        self.check_object_permissions(request, meal)
        self._host_only(meal)
        _check_paging(request)
        page = self.paginate_queryset(selectors.meal_signups_for_host(meal=meal))
        return self.get_paginated_response(HostSignupOut(page, many=True).data)

    def _sign_up(self, request, pk) -> Response:
        data: SignupIn | None = None
        unreadable: Exception | None = None
        signup = None
        meal_id = whole_id(pk)
        if meal_id is not None:
            try:
                data = SignupIn(data=request.data)
            except (APIException, SuspiciousOperation) as exc:
                # A body that cannot be read is answered after the meal is found, as before.
                unreadable = exc
        if (
            meal_id is not None
            and data is not None
            and data.is_valid()
            and not data.validated_data["lift"]
        ):
            fields = {k: v for k, v in data.validated_data.items() if k in _NO_LIFT_FIELDS}
            # The busy case, a meal open to sign-ups, in one statement with no read before it.
            with contextlib.suppress(MealNotOpen):
                signup = services.signup_create_unread(
                    meal_id=meal_id, person=request.user, **fields
                )
        if signup is None:
            # Anything else reads the meal, to answer as before: 404 for a meal the person
            # cannot see, then 415 or 400 for the body, then why it takes no sign-up (a lift
            # request loads the whole row; seat_or_wait's statement reads the rest under the
            # row lock).
            rows = selectors.meals_visible_rows(request.user).only("id", "host_id")
            meal = get_object_or_404(rows, pk=pk)
            self.check_object_permissions(request, meal)
            if unreadable is not None:
                raise unreadable
            if data is None:
                data = SignupIn(data=request.data)
            data.is_valid(raise_exception=True)
            signup = signup_with_lift_create(meal=meal, person=request.user, **data.validated_data)
        # What signups_with_position annotates on rows read from the database.
        signup.waitlist_position = selectors.waitlist_position(signup)  # type: ignore[attr-defined]
        return Response(signup_out(signup), status=status.HTTP_201_CREATED)

    def _signup(self, meal, sid) -> Signup:
        signup = get_object_or_404(Signup.objects.select_related("meal"), pk=sid, meal=meal)
        if self.request.user.pk not in (signup.person_id, meal.host_id):
            raise Http404
        return signup

    @extend_schema(
        methods=["PATCH"],
        summary="Change my party size, or (host) mark attendance",
        request=SignupPatchIn,
        responses={200: SignupOut, 400: BAD, 403: NOT_HOST, 404: NOT_VISIBLE, 409: BAD},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Cancel a sign-up (mine, or as host); the waitlist moves up",
        request=None,
        responses={204: None, 400: BAD, 404: NOT_VISIBLE},
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"signups/(?P<sid>[^/]+)",
        url_name="signup-detail",
    )
    def signup_detail(self, request, pk=None, sid=None):
        meal = self.get_object()
        signup = self._signup(meal, sid)
        if request.method == "DELETE":
            services.signup_cancel(signup=signup, by=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = SignupPatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        signup = services.signup_update(signup=signup, by=request.user, **data.validated_data)
        return Response(_signup_out(signup))

    @extend_schema(
        summary="The host adds a neighbour without the app; they are texted to reply YES "
        "(at most 20 invitations an hour per host)",
        request=GuestIn,
        responses={
            201: HostSignupOut,
            400: BAD,
            403: NOT_HOST,
            404: NOT_VISIBLE,
            409: BAD,
            429: THROTTLED,
        },
    )
    @action(detail=True, methods=["post"], throttle_classes=[GuestInviteThrottle])
    def guests(self, request, pk=None):
        meal = self.get_object()
        data = GuestIn(data=request.data)
        data.is_valid(raise_exception=True)
        signup = services.guest_invite(meal=meal, host=request.user, **data.validated_data)
        return Response(_signup_out(signup, HostSignupOut), status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="What people are bringing; who brings each is named to the host and people coming",
        parameters=[PageQueryIn],
        responses={200: DishOut(many=True), 400: BAD, 404: NOT_VISIBLE},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a dish (people signed up, and the host)",
        request=DishIn,
        responses={201: DishOut, 400: BAD, 403: NOT_HOST, 404: NOT_VISIBLE},
    )
    @action(detail=True, methods=["get", "post"])
    def dishes(self, request, pk=None):
        meal = self.get_object()
        if request.method == "POST":
            data = DishIn(data=request.data)
            data.is_valid(raise_exception=True)
            dish = services.dish_add(meal=meal, person=request.user, **data.validated_data)
            dish = selectors.dishes_of(meal=meal, viewer=request.user).get(pk=dish.pk)
            return Response(DishOut(dish).data, status=status.HTTP_201_CREATED)
        _check_paging(request)
        page = self.paginate_queryset(selectors.dishes_of(meal=meal, viewer=request.user))
        return self.get_paginated_response(DishOut(page, many=True).data)

    @extend_schema(
        summary="Feedback from someone who came, after the meal; once each",
        request=FeedbackIn,
        responses={
            201: FeedbackOut,
            400: BAD,
            403: OpenApiResponse(description="Only people who came"),
            404: NOT_VISIBLE,
            409: OpenApiResponse(description="Feedback already given"),
        },
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        meal = self.get_object()
        data = FeedbackIn(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = services.feedback_create(meal=meal, person=request.user, **data.validated_data)
        return Response(FeedbackOut(feedback).data, status=status.HTTP_201_CREATED)


class MySignupsView(GenericAPIView):
    serializer_class = MySignupOut

    @extend_schema(
        summary="My sign-ups, upcoming first, each with its meal",
        parameters=[PageQueryIn],
        responses={200: MySignupOut(many=True), 400: BAD},
    )
    def get(self, request):
        _check_paging(request)
        page = self.paginate_queryset(selectors.signups_of(person=request.user))
        return self.get_paginated_response(MySignupOut(page, many=True).data)
