"""The field app (现场检查 PWA): its shell, manifest, icons, the /checkin/<token> landing and the service worker.

The shell is the same bytes for every user (no user data, no CSRF token in it) so that the service worker can
precache it and answer every field navigation offline; the page reads the user and the tasks from /api/field/.
"""
from webapp.faces.field import importer  # noqa: E402,F401  (/field/import registers on bp)
from webapp.faces.field.views import bp  # noqa: F401
