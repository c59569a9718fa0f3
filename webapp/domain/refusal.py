"""The one refusal type: an action the rules do not allow now. Pure (no Flask): raised by the domain and the
stages, answered by one handler (`webapp.core.errors`) as JSON to the API and flash-and-redirect to pages."""


class Refused(ValueError):
    """`message` (Chinese) says why; `status` is the HTTP answer; `detail` goes into a JSON answer as it is."""

    status = 409

    def __init__(self, message: str, http_status: int | None = None, **detail):
        super().__init__(message)
        self.message = message
        if http_status is not None:
            self.status = http_status
        self.detail = detail  # may carry a `status` of its own (e.g. a record's), distinct from the HTTP one

    @classmethod
    def required_text(cls, value, limit: int, missing: str, what: str) -> str:
        """`value` stripped, when it is there and at most `limit` characters long; else this refusal, saying
        `missing` (empty) or that `what` is too long."""
        text = (value or "").strip()
        if not text:
            raise cls(missing)
        if len(text) > limit:
            raise cls(f"{what}不超过 {limit} 字。")
        return text
