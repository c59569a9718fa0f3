"""The name an uploaded file came with, fit to keep and show: its base name only. Never used as a path (media are
stored by hash, import files by hash too), but shown on pages, written to the audit trail and into exports, so
`../../etc/passwd`, `C:\\x\\y.jpg`, a NUL, control or bidirectional-override characters do not survive."""
import unicodedata

# Cc control, Cf format (RLO U+202E, zero-width…), Cs surrogates, Co private use, Zl/Zp line and paragraph breaks.
DROPPED = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def clean(name, limit: int = 100) -> str:
    """The base name without directories, dropped characters or leading dots; at most `limit` characters (the
    end kept, so the extension stays)."""
    if not isinstance(name, str):
        return ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in DROPPED)
    name = name.strip().lstrip(".").strip()
    return name[-limit:]
