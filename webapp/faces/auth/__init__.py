"""Sign-in and sign-out, guarding against password guessing, and the role gate every view uses."""
from webapp.faces.auth.gate import role_required  # noqa: F401
from webapp.faces.auth.views import bp  # noqa: F401


def init_app(app):
    from webapp.core.extensions import db, login_manager
    from webapp.stages.accounts.models import User

    @login_manager.user_loader
    def load_user(user_id):
        return db.session.get(User, int(user_id))
