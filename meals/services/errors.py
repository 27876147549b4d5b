"""What the meal services refuse, each with its HTTP status (people.errors.DomainError)."""

from people.errors import Conflict, DomainError


class MealInvalid(DomainError):
    code = "meal_invalid"
    default_detail = "That meal cannot be saved."


class CannotPublish(DomainError):
    code = "cannot_publish"
    default_detail = "This meal cannot be published yet."


class MealNotOpen(DomainError):
    code = "meal_not_open"
    default_detail = "This meal is not taking sign-ups."


class SignupInvalid(DomainError):
    code = "signup_invalid"
    default_detail = "That sign-up cannot be changed like that."


class AlreadySignedUp(Conflict):
    code = "already_signed_up"
    default_detail = "You are already signed up for this meal."


class NotEnoughSeats(Conflict):
    code = "not_enough_seats"
    default_detail = "There are not enough seats left for that."


class HoldExpired(DomainError):
    code = "hold_expired"
    default_detail = "The place held for this guest has expired."


class FeedbackInvalid(DomainError):
    code = "feedback_invalid"
    default_detail = "Feedback cannot be given for this meal now."


class FeedbackGiven(Conflict):
    code = "feedback_given"
    default_detail = "You have already given feedback on this meal. Thank you!"


class NoFlyer(Conflict):
    code = "no_flyer"
    default_detail = "Only a published meal yet to start has a flyer."


class SeriesInvalid(DomainError):
    code = "series_invalid"
    default_detail = "That series cannot be saved."


class AlreadyRegular(Conflict):
    code = "already_regular"
    default_detail = "You already come to this every time."
