"""What an import preview says beyond its counts (annual-report years read, status changes and what they do to
plans not yet drawn, rows left for another office), and the rows other offices' imports forwarded here
(他辖区转来): listed on the import page, shown and downloadable by the office they belong to."""
import io

from flask import abort, render_template, send_file
from flask_login import current_user

from webapp.core.extensions import db
from webapp.domain import roles
from webapp.faces.auth.gate import role_required
from webapp.faces.department.directory import bp
from webapp.faces.department.scope import is_office
from webapp.stages.accounts import jurisdictions
from webapp.stages.directory import batch_views
from webapp.stages.directory.models import ImportBatch
from webapp.stages.plans import import_impact


def preview_context(batch: ImportBatch) -> dict:
    """The template's extra names for a batch's preview: the summaries kept on the batch (batch_views.summarise);
    the full list of status changes is read only when there are some, for what they do to draft plans."""
    if batch.kind != "entities":
        return {}
    views = batch_views.views_of(batch)
    total = views["status_total"]
    return {
        "read_as": batch_views.read_as(batch),
        "update_only": batch_views.update_only(batch),
        "noted": views["noted"],
        "elsewhere": batch_views.elsewhere(batch, views),
        "status_changes": [(code, (old, new)) for code, old, new in views["status_changes"]],
        "status_total": total,
        "impact": import_impact.ineligible_after(batch_views.status_changes(batch), batch.jurisdiction_id)
        if total else None,
    }


def for_import_page(kind: str) -> list[dict]:
    if kind != "entities" or not is_office():
        return []
    return batch_views.forwarded(jurisdictions.visible_ids(current_user))


def _forwarded_batch(batch_id: int):
    batch = db.get_or_404(ImportBatch, batch_id)
    visible = jurisdictions.visible_ids(current_user)
    rows = batch_views.forwarded_rows(batch, visible) if batch.kind == "entities" else []
    if not rows or jurisdictions.sees(current_user, batch.jurisdiction_id):
        abort(404)  # nothing here for this office (its own batches are on their preview page)
    return batch, visible, rows


@bp.route("/imports/<int:batch_id>/forwarded")
@role_required(roles.OFFICE_ADMIN)
def import_forwarded(batch_id):
    batch, _, rows = _forwarded_batch(batch_id)
    sender = db.session.get(jurisdictions.Jurisdiction, batch.jurisdiction_id)
    return render_template("directory/import_forwarded.html", batch=batch, rows=rows,
                           sender=sender.name if sender else "")


@bp.route("/imports/<int:batch_id>/forwarded.xlsx")
@role_required(roles.OFFICE_ADMIN)
def import_forwarded_xlsx(batch_id):
    from webapp.stages.directory import importing

    batch, visible, _ = _forwarded_batch(batch_id)
    data = importing.rejected_xlsx(batch, visible)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"他辖区转来-批次{batch.id}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
