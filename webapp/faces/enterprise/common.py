"""What the enterprise's pages and the handlers' share: the client's address, and a file answered privately."""
import io

from flask import request, send_file

from webapp.stages.enterprise import attachments


def client_ip() -> str:
    return request.remote_addr or "-"


def send_attachment(att):
    """Inline for images, a download for PDFs; never cached by a shared cache, never sniffed."""
    response = send_file(io.BytesIO(attachments.read(att)), mimetype=att.content_type, max_age=0,
                         as_attachment=att.content_type == "application/pdf",
                         download_name=att.filename or f"附件{att.id}")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
