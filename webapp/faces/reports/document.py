"""The 一企一表 as a document: one template for the A4 print view and the PDF (WeasyPrint renders the same HTML
with the same print stylesheet), so what prints and what downloads never drift apart."""
from pathlib import Path

from flask import current_app, render_template, url_for
from PIL import ImageFile

from webapp.core.storage import storage
from webapp.domain import results
from webapp.faces import media as media_views
from webapp.faces.reports import qr
from webapp.stages.field import derivatives
from webapp.stages.records.models import Media
from webapp.stages.review import service as review

STYLESHEET = "css/reports_print.css"


def _key(m) -> str:
    """Where a medium's bytes are stored (the field API re-encodes uploads under their own key)."""
    return getattr(m, "storage_key", None) or m.sha256


def _ready(m) -> bool:
    """A print cannot show 「处理中」: a derivative still missing is made now (`derivatives.ensure`)."""
    return not isinstance(m, Media) or derivatives.ensure(m)


def _embedded(m, full: bool) -> str:
    if not _ready(m):  # the upload could not be made into a picture: say so, never embed the raw bytes
        return qr.data_uri(media_views.placeholder(m).get_data(), "image/svg+xml")
    store = storage()
    if full:
        return qr.data_uri(store.read(_key(m)), m.content_type)
    key = media_views.thumbnail_key(m.sha256)
    if not store.exists(key):
        store.put(media_views.make_thumbnail(store.read(_key(m))), key)
    return qr.data_uri(store.read(key), "image/jpeg")


def _linked(m, full: bool) -> str:
    _ready(m)
    return url_for("media.full" if full else "media.thumb", media_id=m.id)


def render(record, for_pdf: bool = False) -> str:
    doc = media_views.only_signed(review.document(record))  # what was signed, not every upload
    url = qr.verification_url(record)
    decisions = [h for h in review.history(record) if h.get("kind") in ("approve", "return")]
    return render_template(
        "reports/record_print.html", doc=doc, for_pdf=for_pdf, verify_url=url,
        qr_src=qr.data_uri(qr.png(url)), src=_embedded if for_pdf else _linked,
        categories=results.CATEGORIES, decisions=decisions,
    )


def pdf(record) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    ImageFile.LOAD_TRUNCATED_IMAGES = False  # weasyprint's import turned it on for the whole process

    html = render(record, for_pdf=True)
    css = CSS(filename=str(Path(current_app.static_folder) / STYLESHEET))
    # Everything the PDF shows is embedded as data: URIs; nothing is fetched from anywhere else.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[css])
