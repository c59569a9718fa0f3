"""The stages of the regime, in its order: accounts → directory → plans → draw → records → field → review →
publication → enterprise. Each stage owns its tables (`models.py`) and the code that writes them, and imports only earlier
stages, `core` and `domain` (tests/test_layout.py holds this)."""

ORDER = ("accounts", "directory", "plans", "draw", "records", "field", "review", "publication",
         "enterprise", "integration")
