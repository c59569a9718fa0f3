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
    # TESTING: no periodic thread (core.periodic.init_app) left behind, trying the missing file every few seconds
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db", "TESTING": True})
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
    # One process imports the module once and forks six, which wait at one gate (a pipe) until all six exist: then
    # they all make the key at the same moment. Five fresh folders. Each answers its key, or its error, on a line.
    script = """if True:
        import os, sys
        from pathlib import Path
        from webapp.core import config
        for folder in sys.argv[1:]:
            gate, (answers, answer) = os.pipe(), os.pipe()
            for _ in range(6):
                if os.fork() == 0:
                    os.close(answers)
                    os.read(gate[0], 1)
                    try:
                        line = "key " + config._secret_key(Path(folder))
                    except BaseException as err:
                        line = "error " + repr(err)
                    os.write(answer, (line + "\\n").encode())   # one write of < 4 KiB: whole, never interleaved
                    os._exit(0)
            os.close(answer)
            os.write(gate[1], b"go" * 3)
            with os.fdopen(answers) as lines:
                print(folder, ";".join(line.strip() for line in lines))
            for _ in range(6):
                os.wait()"""
    folders = [tmp_path / str(attempt) for attempt in range(5)]
    for folder in folders:
        folder.mkdir()
    run = subprocess.run([sys.executable, "-c", script, *map(str, folders)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    answered = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    assert sorted(answered) == sorted(map(str, folders))
    for folder in folders:
        key = (folder / "secret_key").read_text().strip()
        assert answered[str(folder)].split(";") == [f"key {key}"] * 6 and len(key) == 64
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
