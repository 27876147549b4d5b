"""The console gateway: full texts only with DEBUG on, and a bounded memory of what it sent."""

from notifications.gateways.console import ConsoleGateway

PHONE = "+447700900123"
BODY = "Your Blether code is 424242. It works for 10 minutes. Never share it."


def test_with_debug_off_the_number_is_masked_and_the_words_are_not_printed(settings, capsys):
    settings.DEBUG = False
    gateway = ConsoleGateway()

    result = gateway.send(to=PHONE, body=BODY)

    printed = capsys.readouterr().out
    assert (
        printed
        == "[sms to +44\u2022\u2022\u2022\u2022\u2022\u2022\u2022123] (text hidden: DEBUG is off)\n"
    )
    assert "424242" not in printed and "900123" not in printed
    assert gateway.sent == [{"to": PHONE, "body": BODY, "sid": result.provider_sid}]


def test_with_debug_on_the_whole_text_is_printed(settings, capsys):
    settings.DEBUG = True
    gateway = ConsoleGateway()

    gateway.send(to=PHONE, body=BODY)

    assert capsys.readouterr().out == f"[sms to {PHONE}] {BODY}\n"


def test_only_the_latest_texts_are_kept(settings, capsys):
    settings.DEBUG = False
    gateway = ConsoleGateway(keep=3)

    sids = [gateway.send(to=PHONE, body=f"text {n}").provider_sid for n in range(5)]

    assert len(gateway.sent) == 3
    assert [t["body"] for t in gateway.sent] == ["text 2", "text 3", "text 4"]
    assert gateway.sent[0]["sid"] == sids[2]
    gateway.clear()
    assert gateway.sent == []
    gateway.send(to=PHONE, body="again")
    assert [t["body"] for t in gateway.sent] == ["again"]


def test_by_default_a_thousand_texts_are_kept(settings, capsys):
    settings.DEBUG = False
    gateway = ConsoleGateway()

    for n in range(1005):
        gateway.send(to=PHONE, body=f"text {n}")

    assert len(gateway.sent) == 1000
    assert (gateway.sent[0]["body"], gateway.sent[-1]["body"]) == ("text 5", "text 1004")
