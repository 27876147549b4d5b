"""A flyer for every door: an A5 page in large black type that says what, when, where, who to
ask and how to join by text, with a QR code to the meal's public page.

`flyer_pdf` builds it from plain values (ReportLab, and segno for the QR code); `meal_flyer`
says which meals get one and fills those values, for the API and the web pages alike.
"""

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.utils import timezone
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from meals.models import Meal
from meals.public import public_place, public_url
from meals.services.errors import NoFlyer
from people.errors import NotAllowed
from people.models import User

MARGIN = 12 * mm
QR_SIZE = 48 * mm  # each module over 1.2 mm: a phone reads it from arm's length
FONT, BOLD = "Helvetica", "Helvetica-Bold"


@dataclass(frozen=True)
class Flyer:
    kind: str  # "Street tea"
    title: str
    when: str  # "Saturday 12 December, 12:00 to 14:00", London time
    place: str
    host: str  # a first name, never a number; "" leaves "Ask for" out
    code: str
    sms_number: str
    url: str  # the public page the QR code opens


# Latin letters with no decomposition to a letter Helvetica has: as a reader would spell them
# without the stroke (a Polish name keeps its first letter: L with stroke prints as L).
_UNSTROKED = str.maketrans("\u0141\u0142\u0110\u0111\u0126\u0127\u0131\u0166\u0167", "LlDdHhiTt")


def _plain(text: str) -> str:
    """What Helvetica can print (Windows-1252): accents kept where it has them, others
    dropped to their letter, anything else (control and format characters too) left out."""
    text = " ".join(unicodedata.normalize("NFKC", text).translate(_UNSTROKED).split())
    kept = []
    for char in text:
        if unicodedata.category(char).startswith("C"):
            continue
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            char = unicodedata.normalize("NFKD", char).encode("cp1252", "ignore").decode("cp1252")
        kept.append(char)
    return " ".join("".join(kept).split())


def _printable(text: str) -> str:
    """`_plain`, escaped for ReportLab's paragraph markup."""
    return escape(_plain(text))


def _style(name: str, size: float, *, bold: bool = False, **more) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=BOLD if bold else FONT, fontSize=size, leading=size * 1.2, **more
    )


class QrCode(Flowable):
    """A QR code drawn as black squares (vector, so it prints sharp at any size)."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        qr = segno.make_qr(data, error="m")
        self.rows = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        module = self.size / len(self.rows)
        self.canv.setFillGray(0)
        for y, row in enumerate(self.rows):
            top = self.size - (y + 1) * module
            x = 0
            while x < len(row):
                if not row[x]:
                    x += 1
                    continue
                run = x
                while run < len(row) and row[run]:
                    run += 1
                # One rectangle per run of dark modules, so no hairline shows between them.
                self.canv.rect(x * module, top, (run - x) * module, module, stroke=0, fill=1)
                x = run


def _facts(flyer: Flyer, width: float) -> Table:
    label, value = _style("label", 15, bold=True), _style("value", 17)
    # A place or a name the font cannot print at all leaves its line out, never a blank one
    # (the public page behind the QR code shows it as typed).
    rows = [("When", flyer.when)]
    if _plain(flyer.place):
        rows.append(("Where", flyer.place))
    if _plain(flyer.host):
        rows.append(("Ask for", f"{_plain(flyer.host)}, your host"))
    table = Table(
        [[Paragraph(name, label), Paragraph(_printable(text), value)] for name, text in rows],
        colWidths=[24 * mm, width - 24 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _join(flyer: Flyer, width: float) -> Table:
    text = f"Text <b>JOIN {escape(flyer.code)}</b> to {_printable(flyer.sms_number)}"
    box = Table(
        [[Paragraph(text, _style("join", 20, alignment=TA_CENTER))]],
        colWidths=[width],
        hAlign="LEFT",
    )
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 2, "black"),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
            ]
        )
    )
    return box


def _scan(flyer: Flyer, width: float) -> list[Flowable]:
    words = Paragraph(
        "Or scan this code with a phone to see the meal and join online, or type in:",
        _style("scan", 15),
    )
    table = Table(
        [[QrCode(flyer.url, QR_SIZE), words]], colWidths=[QR_SIZE + 5 * mm, None], hAlign="LEFT"
    )
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    # The address on one line, never broken: as large as fits, up to 16 pt.
    address = flyer.url.split("://", 1)[-1]
    size = min(16.0, width / stringWidth(address, BOLD, 1))
    return [table, Spacer(0, 2 * mm), Paragraph(escape(address), _style("url", size, bold=True))]


def flyer_pdf(flyer: Flyer) -> bytes:
    """One A5 page, black on white; a long title or place shrinks the page's type to fit."""
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A5,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_plain(flyer.title),  # metadata: plain text, not markup
        author="Blether",
        subject=f"Text JOIN {flyer.code}",
    )
    # The page's frame keeps 6 pt of padding each side.
    width, height = document.width - 12, document.height - 12
    content = [
        Paragraph(_printable(flyer.kind), _style("kind", 16)),
        Paragraph(_printable(flyer.title), _style("title", 30, bold=True, spaceBefore=4)),
        Paragraph("Come and share it with your neighbours.", _style("come", 16, spaceBefore=6)),
        Spacer(0, 6 * mm),
        _facts(flyer, width),
        Spacer(0, 5 * mm),
        _join(flyer, width),
        Spacer(0, 6 * mm),
        *_scan(flyer, width),
    ]
    document.build([KeepInFrame(width, height, content, mode="shrink")])
    return out.getvalue()


def when_words(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """'Saturday 12 December, 12:00 to 14:00', in London time."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start, end = timezone.localtime(starts_at, zone), timezone.localtime(ends_at, zone)
    return f"{start:%A} {start.day} {start:%B}, {start:%H:%M} to {end:%H:%M}"


def meal_flyer(*, meal: Meal, by: User) -> bytes:
    """The flyer of a published meal yet to start, for its host alone (NotAllowed, 403,
    for anyone else; NoFlyer, 409, for a draft, a cancelled meal or one begun or past)."""
    if meal.host_id != by.pk:
        raise NotAllowed("Only the host can print a flyer for this meal.")
    if meal.status == Meal.Status.DRAFT:
        raise NoFlyer("Publish the meal first: a flyer is for a published meal.")
    if meal.status == Meal.Status.CANCELLED:
        raise NoFlyer("This meal is cancelled, so it has no flyer.")
    if meal.status != Meal.Status.PUBLISHED or meal.starts_at <= timezone.now():
        raise NoFlyer("This meal has begun, so it has no flyer.")
    return flyer_pdf(
        Flyer(
            kind=meal.get_kind_display().capitalize(),
            title=meal.title,
            when=when_words(meal.starts_at, meal.ends_at),
            place=public_place(meal),
            host=meal.host.first_name,
            code=meal.code,
            sms_number=settings.SMS_PUBLIC_NUMBER or "Blether's number",
            url=public_url(meal.code),
        )
    )
