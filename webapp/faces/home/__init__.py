from webapp.faces.home.views import bp  # noqa: F401
