from django.urls import path

import meals.nudges  # noqa: F401  connects the invitation receiver in the web process too
from api.views.host_messages import HostMessageView
from api.views.sms import SmsInboundView, SmsStatusView

urlpatterns = [
    path("sms/inbound/", SmsInboundView.as_view(), name="sms-inbound"),
    path("sms/status/", SmsStatusView.as_view(), name="sms-status"),
    path("meals/<int:pk>/messages/", HostMessageView.as_view(), name="meal-messages"),
]
