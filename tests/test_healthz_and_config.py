import os
import stat
import subprocess
import sys

from webapp import create_app


def test_healthz_reports_app_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "app": "ok", "database": "ok", "draw_hashing": "compiled"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["app"] == "ok" and body["database"].startswith("error")


def test_secret_key_generated_once_with_private_mode(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    from webapp.core import config

    settings = config.load(str(tmp_path))
    again = config.load(str(tmp_path))
    assert settings["SECRET_KEY"] == again["SECRET_KEY"] and len(settings["SECRET_KEY"]) == 64
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600
    assert first.config["SECRET_KEY"]


def test_processes_starting_at_once_in_a_fresh_instance_folder_share_one_whole_key(tmp_path, monkeypatch):
    """Two test workers (or gunicorn workers) on a fresh checkout make the key at the same moment: none fails,
    none reads it half-written, all keep the one that got there first."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    # Each process, imports done, says it is ready and waits until all six are: then they all make the key.
    script = """if True:
        import os, sys
        from pathlib import Path
        from webapp.core import config
        gate = Path(sys.argv[2])
        (gate / str(os.getpid())).touch()
        while len(os.listdir(gate)) < 6:
            pass
        print(config._secret_key(Path(sys.argv[1])))"""
    for attempt in range(5):
        folder, gate = tmp_path / str(attempt), tmp_path / f"gate{attempt}"
        folder.mkdir()
        gate.mkdir()
        runs = [subprocess.Popen([sys.executable, "-c", script, str(folder), str(gate)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(6)]
        answers = [run.communicate(timeout=60) for run in runs]
        assert all(run.returncode == 0 for run in runs), [err for _, err in answers]
        keys = {out.strip() for out, _ in answers}
        assert keys == {(folder / "secret_key").read_text().strip()} and len(keys.pop()) == 64
        assert stat.S_IMODE(os.stat(folder / "secret_key").st_mode) == 0o600
        assert [f.name for f in folder.iterdir()] == ["secret_key"]  # no temporary file left behind


def test_environment_configures_database_media_and_https(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/d")
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path / "m"))
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("SPOTCHECK_HTTPS", "1")
    from webapp.core import config

    settings = config.load(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/d"
    assert settings["MEDIA_ROOT"] == str(tmp_path / "m")
    assert settings["SECRET_KEY"] == "k" * 40
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]


def test_pages_send_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
