"""What a process keeps between requests while a key says it is still in force.

The key is read from the database by the request itself, inside a statement it makes anyway (the working-day
calendar's content with the record a phone sends, a plan's frozen state with its plan): a change made on any server
changes the key, so every server stays right, at no extra statement. A key of None means "do not keep".
A new application (`create_app`: once per process, once per test) starts with nothing kept (`forget_all`)."""
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from weakref import WeakSet

_ALL: WeakSet = WeakSet()


def forget_all() -> None:
    for kept in list(_ALL):
        kept.forget()


class Kept:
    def __init__(self, size: int = 256):
        self._values: OrderedDict = OrderedDict()
        self._size = size
        self._lock = Lock()
        _ALL.add(self)

    def forget(self) -> None:
        with self._lock:
            self._values.clear()

    def get(self, name: Hashable, key: Hashable | None, make: Callable):
        """The value kept under `name` if it was made under `key`, else `make()` (kept unless `key` is None)."""
        if key is None:
            return make()
        with self._lock:
            hit = self._values.get(name)
            if hit is not None and hit[0] == key:
                self._values.move_to_end(name)
                return hit[1]
        value = make()
        with self._lock:
            self._values[name] = (key, value)
            self._values.move_to_end(name)
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value
