# errors.py: the exceptions of the binding, one class per winnow_status, each carrying the
# library's message (the err buffer's, else winnow_strerror's, else a fixed one) and the status.
# Invariant: raise_for(status) is only called with a status other than WINNOW_OK.
from . import _lib


class WinnowError(Exception):
    """A libwinnow call failed: .status is its winnow_status, .message what it said."""

    status = None

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class RulesError(WinnowError):
    """WINNOW_ERR_RULES: a rules file or pattern is invalid ("name:line: what is wrong")."""
    status = _lib.ERR_RULES


class NoMemoryError(WinnowError, MemoryError):
    """WINNOW_ERR_NOMEM: the library ran out of memory."""
    status = _lib.ERR_NOMEM


class WriteError(WinnowError):
    """WINNOW_ERR_WRITE: the output could not be taken (the binding's write callback failed)."""
    status = _lib.ERR_WRITE


class UsageError(WinnowError, ValueError):
    """WINNOW_ERR_USAGE: a bad argument (unknown rule id, frozen rule set, closed filter...)."""
    status = _lib.ERR_USAGE


class FileError(WinnowError):
    """WINNOW_ERR_IO: a file could not be read."""
    status = _lib.ERR_IO


_BY_STATUS = {c.status: c for c in (RulesError, NoMemoryError, WriteError, UsageError, FileError)}
_FALLBACK = {
    _lib.ERR_RULES: "invalid rules",
    _lib.ERR_NOMEM: "out of memory",
    _lib.ERR_WRITE: "write failed",
    _lib.ERR_USAGE: "bad argument",
    _lib.ERR_IO: "file could not be read",
}


def error_for(status, message=None):
    """The exception for a status; message is the C err buffer's text (may be empty)."""
    if not message:
        message = _lib.strerror(status) or _FALLBACK.get(status, "winnow error %d" % status)
    cls = _BY_STATUS.get(status, WinnowError)
    return cls(message, status)


def raise_for(status, message=None):
    raise error_for(status, message)


def check(status, err=None):
    """Raises for a status other than WINNOW_OK; err is the ctypes buffer the call wrote."""
    if status != _lib.OK:
        text = err.value.decode("utf-8", "replace") if err is not None else None
        raise_for(status, text)
