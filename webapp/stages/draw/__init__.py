"""The draw (双随机抽取): commit-and-reveal ceremonies, their manifests, and the departments' confirmation."""
from webapp.domain.refusal import Refused


class DrawRefused(Refused):
    """The action is not allowed now; the message (Chinese) says why."""

    status = 409
