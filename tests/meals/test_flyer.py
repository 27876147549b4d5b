"""The flyer: an A5 PDF whose words are read back with pypdf and whose QR code is read back
from the page as printed (pdftoppm renders it, zxing-cpp decodes the picture)."""

import datetime as dt
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops
from pypdf import PdfReader

from meals.flyer import Flyer, flyer_pdf, meal_flyer
from meals.services.errors import NoFlyer
from people.errors import NotAllowed
from tests.clock import london
from tests.factories import MealFactory, UserFactory, VenueFactory

A5_POINTS = (419.53, 595.28)  # 148 x 210 mm
NUMBER = "07700 900001"
SUMMER_DAY = dt.date(2027, 6, 5)  # a Saturday in British Summer Time


def rendered(pdf: bytes, dpi: int = 150) -> Image.Image:
    """The page as a printer would put it on paper, in colour."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm is missing: run `bash scripts/setup.sh --with-browser`")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "flyer.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [pdftoppm, "-r", str(dpi), "-png", "-singlefile", source, Path(folder) / "p"],
            check=True,
            timeout=60,
        )
        return Image.open(Path(folder) / "p.png").convert("RGB")


def page_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(reader.pages[0].extract_text().split())


def plain_flyer(**changes) -> Flyer:
    values = {
        "kind": "Street tea",
        "title": "Tea on Glebe Street",
        "when": "Saturday 5 June, 12:00 to 14:00",
        "place": "Outside number 12, by the bench",
        "host": "Jean",
        "code": "K7P2",
        "sms_number": NUMBER,
        "url": "https://blether.test/m/K7P2",
    }
    return Flyer(**{**values, **changes})


def test_the_flyer_is_one_a5_page_saying_what_when_where_who_and_how_to_join():
    reader, text = page_text(flyer_pdf(plain_flyer()))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A5_POINTS
    assert text == (
        "Street tea Tea on Glebe Street Come and share it with your neighbours. "
        "When Saturday 5 June, 12:00 to 14:00 Where Outside number 12, by the bench "
        "Ask for Jean, your host Text JOIN K7P2 to 07700 900001 "
        "Or scan this code with a phone to see the meal and join online, or type in: "
        "blether.test/m/K7P2"
    )
    assert reader.metadata.title == "Tea on Glebe Street"


def test_the_qr_code_as_printed_opens_the_public_page():
    image = rendered(flyer_pdf(plain_flyer()))

    found = zxingcpp.read_barcodes(image)

    assert [(code.format, code.text) for code in found] == [
        (zxingcpp.BarcodeFormat.QRCode, "https://blether.test/m/K7P2")
    ]


def test_the_page_has_no_colour_and_is_mostly_white_paper():
    image = rendered(flyer_pdf(plain_flyer()), dpi=72)

    red, green, blue = image.split()
    assert ImageChops.difference(red, green).getbbox() is None
    assert ImageChops.difference(green, blue).getbbox() is None
    grey = red.histogram()
    assert grey[255] > 0.7 * image.width * image.height
    assert grey[0] > 0.03 * image.width * image.height  # large black type and the code


def test_a_long_title_and_place_still_fit_one_page_and_the_qr_code_still_reads():
    long = plain_flyer(title="Soup " * 16, place="By the big oak tree " * 10)
    pdf = flyer_pdf(long)

    reader, text = page_text(pdf)
    assert len(reader.pages) == 1
    assert "Text JOIN K7P2 to 07700 900001" in text
    assert [c.text for c in zxingcpp.read_barcodes(rendered(pdf))] == [long.url]


def test_text_a_printer_font_cannot_show_is_kept_as_letters_and_markup_is_printed_as_typed():
    _, text = page_text(flyer_pdf(plain_flyer(title="Ŵyn's <b>tea</b> & cake ☕", host="")))

    assert "Wyn's <b>tea</b> & cake" in text
    assert "Ask for" not in text


def test_the_documents_title_is_the_meals_title_as_typed_not_markup():
    reader, _ = page_text(flyer_pdf(plain_flyer(title="Tea & cake <in the lane>")))

    assert reader.metadata.title == "Tea & cake <in the lane>"


def test_a_name_or_place_the_font_cannot_print_leaves_its_line_out_never_blank():
    greek = plain_flyer(host="\u03a3\u03bf\u03c6\u03af\u03b1", place="\u2615\U0001f370")
    _, text = page_text(flyer_pdf(greek))

    assert "When Saturday 5 June, 12:00 to 14:00 Text JOIN K7P2 to 07700 900001 " in text
    assert "Where" not in text
    assert "Ask for" not in text


def test_a_stroked_letter_prints_as_its_letter_and_control_characters_not_at_all():
    polish = plain_flyer(host="\u0141ucja", title="Tea\x07 for\u202e all\x1b")
    reader, text = page_text(flyer_pdf(polish))

    assert "Ask for Lucja, your host " in text
    assert text.startswith("Street tea Tea for all Come and share it")
    assert reader.metadata.title == "Tea for all"


@pytest.mark.parametrize("title", ["W" * 200, "\u0645\u0631\u062d\u0628\u0627 " * 40])
def test_a_title_of_200_characters_or_right_to_left_still_makes_one_page(title):
    reader, text = page_text(flyer_pdf(plain_flyer(title=title, place=title)))

    assert len(reader.pages) == 1
    assert "Text JOIN K7P2 to 07700 900001" in text


@pytest.mark.django_db
@pytest.mark.clock("14:00", on=SUMMER_DAY - dt.timedelta(days=3))
def test_a_meals_flyer_says_its_time_in_london_its_venue_and_the_hosts_first_name(settings):
    settings.SMS_PUBLIC_NUMBER = NUMBER
    host = UserFactory(display_name="Jean Shaw", phone="+447700900555")
    hall = VenueFactory(name="Dockhead Hall", address="3 Dockhead Street, Saltcoats")
    start = london("12:00", on=SUMMER_DAY)
    meal = MealFactory(
        host=host,
        kind="shared_lunch",
        title="Soup and a blether",
        setting="venue",
        venue=hall,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2, minutes=30),
    )

    _, text = page_text(meal_flyer(meal=meal, by=host))

    assert text.startswith("Shared lunch Soup and a blether ")
    assert "When Saturday 5 June, 12:00 to 14:30 " in text
    assert "Where Dockhead Hall, 3 Dockhead Street, Saltcoats " in text
    assert "Ask for Jean, your host " in text
    assert f"Text JOIN {meal.code} to 07700 900001 " in text
    assert text.endswith(f" blether.test/m/{meal.code}")
    assert "Shaw" not in text
    assert "900555" not in text


@pytest.mark.django_db
@pytest.mark.clock("14:00")
def test_only_the_host_of_a_published_meal_yet_to_start_gets_a_flyer(clock):
    host, neighbour = UserFactory(), UserFactory()
    published = MealFactory(host=host)
    draft = MealFactory(host=host, status="draft")
    cancelled = MealFactory(host=host, status="cancelled")
    begun = MealFactory(
        host=host, starts_at=clock - dt.timedelta(minutes=1), ends_at=clock + dt.timedelta(hours=1)
    )

    assert meal_flyer(meal=published, by=host).startswith(b"%PDF-")
    with pytest.raises(NotAllowed):
        meal_flyer(meal=published, by=neighbour)
    refusals = {}
    for name, meal in (("draft", draft), ("cancelled", cancelled), ("begun", begun)):
        with pytest.raises(NoFlyer) as refused:
            meal_flyer(meal=meal, by=host)
        refusals[name] = (refused.value.status_code, refused.value.detail)
    assert refusals == {
        "draft": (409, "Publish the meal first: a flyer is for a published meal."),
        "cancelled": (409, "This meal is cancelled, so it has no flyer."),
        "begun": (409, "This meal has begun, so it has no flyer."),
    }
