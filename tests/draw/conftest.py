import pytest


@pytest.fixture
def bare(app, monkeypatch):
    """The demo before its ceremonies: departments, directory, roster, accounts and the two plans, no draw."""
    from webapp.faces import demo as demo_data
    from webapp.faces.demo import draw as draw_demo

    monkeypatch.setattr(draw_demo, "run", lambda plan: None)
    return demo_data.load()
