"""The double random draw: ceremonies, department confirmation, matching and dispatch, working days, public page."""
from .views import bp  # noqa: F401
