"""The enterprise and the public take part (after publication): the inspected enterprise's page by its record's
token and USCC (`access.py`), rectification (`rectification.py`), objections and questions (`objections.py`,
`questions.py`), the public's tip-offs (`tipoffs.py`), their verified files (`attachments.py`)."""
