"""0013: each existing record in review or after gets one part per department, in the record's state."""
import json
import sqlite3

from sqlalchemy import text


def test_existing_records_state_becomes_their_parts_state(tmp_path, monkeypatch):
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.core.extensions import db

    path = tmp_path / "before.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    app = create_app()
    with app.app_context():
        upgrade(revision="0012_tamper_evidence")
        upgrade(revision="0014_session_versions")
        con = sqlite3.connect(path)
        con.execute("INSERT INTO departments (id, code, name) VALUES (1, 'jiaoti', '教体局'), (2, 'renshe', '人社局')")
        findings = {"departments": [{"department_id": 1, "items": [{"points": [{"result": "fail"}]}]},
                                    {"department_id": 2, "items": [{"points": [{"result": "pass"}]}]}]}
        for rid, status, published in ((1, "published", "2026-01-05 00:00:00.000000"), (2, "returned", None),
                                       (3, "dispatched", None)):
            con.execute(
                "INSERT INTO inspection_records (id, token, plan_id, entity_id, status, understaffed, needs_expert,"
                " created_at, findings, result_codes, refused, due_provisional, late, published_at)"
                " VALUES (?, ?, 1, ?, ?, 0, 0, '2026-01-01', ?, ?, 0, 0, 0, ?)",
                (rid, f"t{rid}", rid, status, json.dumps(findings) if status != "dispatched" else None,
                 json.dumps(["corrected"]), published))
        con.commit()
        con.close()
        upgrade()
        rows = db.session.execute(text(
            "SELECT record_id, department_id, status, result_codes, published_at IS NOT NULL, authority"
            " FROM review_parts ORDER BY record_id, position")).all()
        db.engine.dispose()
    assert [(r, d, s, json.loads(c), p, a) for r, d, s, c, p, a in rows] == [
        (1, 1, "published", ["corrected"], 1, "教体局"), (1, 2, "published", ["no_problem"], 1, "人社局"),
        (2, 1, "returned", ["corrected"], 0, "教体局"), (2, 2, "returned", ["no_problem"], 0, "人社局"),
    ]
