from django.urls import path

from api.views.host_messages import HostMessageView
from api.views.sms import SmsInboundView, SmsStatusView

urlpatterns = [
    path("sms/inbound/", SmsInboundView.as_view(), name="sms-inbound"),
    path("sms/status/", SmsStatusView.as_view(), name="sms-status"),
    path("meals/<int:pk>/messages/", HostMessageView.as_view(), name="meal-messages"),
]
