"""What the field stage answers the phone: an HTTP status and a JSON body, turned into the response by the API
face (`faces.api.outcome_answer`). An error body carries its Chinese message under "error"."""
from dataclasses import dataclass


@dataclass
class Outcome:
    status: int
    body: dict


def error(status: int, message: str, **extra) -> Outcome:
    return Outcome(status, {"error": message, **extra})
