"""A round's QR code and its A4 poster for waiting rooms (PDF, WeasyPrint): the municipality, a short invitation,
the QR code, the address to type, the closing date and the anonymity promise."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup

from survey.kernel.urls import public_url
from survey.questionnaire.models import Round

PDF_TYPE = "application/pdf"


def shows_poster(round_: Round) -> bool:
    """A QR code and a poster help only an open-link round citizens can still answer (an invitation round needs
    each citizen's own code, which the letters carry)."""
    return round_.access == "open" and round_.state() != "closed"


def qr_svg(link: str, title: str, scale: int = 5) -> Markup:
    """The QR code of `link` as inline <svg> with an accessible name; attributes only, no style and no data: URI
    (the CSP allows neither)."""
    import segno  # here: only the staff's poster pages draw a QR code

    svg = segno.make(link, error="m").svg_inline(
        scale=scale, border=4, dark="#000", light="#fff", title=title, svgclass=None, lineclass=None
    )
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))


def poster_pdf(round_: Round) -> bytes:
    """The poster as a one-page A4 PDF (tagged, PDF/UA-1, like the committee's bilag)."""
    from weasyprint import CSS, HTML  # heavy; loaded only when a PDF is asked for
    from weasyprint.urls import URLFetcher

    address = public_url("questionnaire.start", round_slug=round_.slug)
    html = render_template(
        "questionnaire_admin/poster.html",
        round_=round_,
        address=address,
        qr=qr_svg(address, _("QR-kode til spørgeskemaet"), scale=10),
    )
    # The page is complete as it is (the QR code is inline SVG): WeasyPrint may fetch nothing, local or remote.
    refuse_all = URLFetcher(allowed_protocols=())
    stylesheet = CSS(filename=str(Path(current_app.static_folder) / "poster.css"), url_fetcher=refuse_all)
    return HTML(string=html, url_fetcher=refuse_all).write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1")
