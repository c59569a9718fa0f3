"""The field sync API: tasks down to the phone, media and the signed 一企一表 back up (FIELD_API.md)."""
from .views import bp  # noqa: F401
