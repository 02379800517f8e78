# rules.py: winnow.Rules, a rule set (the built-in rules, rules files and buffers, disabled ids,
# a language restriction, tunables) owning one winnow_rules. Invariants: every C call on the set
# holds its lock; once a filter is made over it the set is frozen and only read.
import ctypes
import os
import threading

from . import _lib
from .errors import UsageError, check, error_for

_ERR_LEN = 1024


def _c_string(value, what):
    """value (str or bytes, no NUL) as bytes for a C string argument."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    elif not isinstance(value, bytes):
        raise TypeError("%s must be str or bytes, not %s" % (what, type(value).__name__))
    if b"\0" in value:
        raise ValueError("%s must not hold a NUL byte" % what)
    return value


def _text(value):
    return value.decode("utf-8", "replace") if value is not None else None


class Rules:
    """A set of rules. Rules() loads the built-in ones; Rules(defaults=False) starts empty.

    files: rules files to load after them; disable: rule ids to turn off; languages: keep only
    the rules for these ("en,de" or ["en", "de"]; rules for every language stay); tune: a
    mapping of tunable names to values. The loaders return the set, so calls chain. A set is
    frozen once a filter (or winnow.clean) uses it: later changes raise UsageError."""

    def __init__(self, defaults=True, files=(), disable=(), languages=None, tune=None):
        self._lock = threading.RLock()
        self._kinds = None  # rule id -> kind, once frozen
        self._frozen = False
        self._handle = None
        if isinstance(files, (str, bytes, os.PathLike)):
            files = [files]
        if isinstance(disable, (str, bytes)):
            disable = [disable]
        handle = _lib.lib().winnow_rules_new()
        if not handle:
            raise error_for(_lib.ERR_NOMEM)
        self._handle = handle
        if defaults:
            self.load_defaults()
        for path in files:
            self.load_file(path)
        for rule_id in disable:
            self.disable(rule_id)
        if languages is not None:
            self.restrict_languages(languages)
        for name, value in (tune or {}).items():
            self.tune(name, value)

    def __del__(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            try:
                _lib.lib().winnow_rules_free(handle)
            except Exception:  # interpreter shutdown
                pass

    def _ptr(self):
        if not self._handle:
            raise UsageError("rule set is not usable (its construction failed)")
        return self._handle

    @property
    def frozen(self):
        """True once a filter has been made over the set (it can no longer change)."""
        return self._frozen

    def load_defaults(self):
        """Loads the built-in rules (rules/*.rules, compiled into the library)."""
        err = ctypes.create_string_buffer(_ERR_LEN)
        with self._lock:
            check(_lib.lib().winnow_rules_load_defaults(self._ptr(), err, _ERR_LEN), err)
        return self

    def load_file(self, path):
        """Loads a rules file (rules/README.md gives the format); RulesError says where it is
        wrong ("FILE:LINE: what"), FileError when it cannot be read."""
        if not isinstance(path, (str, bytes, os.PathLike)):
            raise TypeError("path must be str, bytes or os.PathLike, not %s" % type(path).__name__)
        cpath = _c_string(os.fsencode(path), "path")
        err = ctypes.create_string_buffer(_ERR_LEN)
        with self._lock:
            check(_lib.lib().winnow_rules_load_file(self._ptr(), cpath, err, _ERR_LEN), err)
        return self

    def load_buffer(self, text, name="<buffer>"):
        """Loads rules from text (str or bytes); name is what errors call it."""
        if isinstance(text, str):
            text = text.encode("utf-8")
        elif isinstance(text, (bytearray, memoryview)):
            text = bytes(text)
        elif not isinstance(text, bytes):
            raise TypeError("rules text must be str or bytes, not %s" % type(text).__name__)
        cname = _c_string(name, "name")
        err = ctypes.create_string_buffer(_ERR_LEN)
        with self._lock:
            check(_lib.lib().winnow_rules_load_buffer(self._ptr(), cname, text, len(text), err,
                                                      _ERR_LEN), err)
        return self

    def disable(self, rule_id):
        """Turns off every rule with this id (UsageError when none has it)."""
        cid = _c_string(rule_id, "rule id")
        with self._lock:
            status = _lib.lib().winnow_rules_disable(self._ptr(), cid)
            if status != _lib.OK:
                raise error_for(status, self._frozen_message() or
                                "no rule has the id %r (see Rules.list())" % _text(cid))
        return self

    def restrict_languages(self, languages):
        """Keeps only rules for one of languages ("en,de" or a list of codes)."""
        if not isinstance(languages, (str, bytes)):
            try:
                languages = ",".join(_c_string(x, "language").decode() for x in languages)
            except TypeError:
                raise TypeError("languages must be a str or a list of str") from None
        clangs = _c_string(languages, "languages")
        with self._lock:
            status = _lib.lib().winnow_rules_restrict_languages(self._ptr(), clangs)
            if status != _lib.OK:
                raise error_for(status, self._frozen_message())
        return self

    def tune(self, name, value):
        """Sets a tunable (see tunables()) as a [tune] block would."""
        cname = _c_string(name, "tunable name")
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("a tunable's value must be an int, not %s" % type(value).__name__)
        with self._lock:
            known = {t["name"]: t for t in self.tunables()}
            t = known.get(_text(cname))
            if t is None:
                raise UsageError("no tunable is named %r (see Rules.tunables())" % _text(cname))
            if not t["min"] <= value <= t["max"]:
                raise UsageError("%s takes %d to %d, not %d" % (t["name"], t["min"], t["max"],
                                                                value))
            status = _lib.lib().winnow_rules_tune_set(self._ptr(), cname, value)
            if status != _lib.OK:
                raise error_for(status, self._frozen_message())
        return self

    def compile(self):
        """Compiles every pattern now (a filter does it anyway): RulesError on a bad one."""
        err = ctypes.create_string_buffer(_ERR_LEN)
        with self._lock:
            check(_lib.lib().winnow_rules_compile(self._ptr(), err, _ERR_LEN), err)
        return self

    def _frozen_message(self):
        if self._frozen:
            return "rule set is in use by a filter: make a new set"
        return None

    def list(self):
        """The rules as --list-rules shows them: dicts of id, kind, languages, pattern, origin,
        enabled, prefilter and limit_hits."""
        out = []
        lib = _lib.lib()
        with self._lock:
            info = _lib.RuleInfo()
            for i in range(lib.winnow_rules_count(self._ptr())):
                if lib.winnow_rules_get(self._ptr(), i, ctypes.byref(info)) != _lib.OK:
                    continue
                out.append({
                    "id": _text(info.id),
                    "kind": _text(info.kind),
                    "languages": _text(info.langs),
                    "pattern": _text(info.pattern),
                    "origin": _text(info.origin),
                    "enabled": bool(info.enabled),
                    "prefilter": _text(info.prefilter),
                    "limit_hits": info.limit_hits,
                })
        return out

    def __len__(self):
        with self._lock:
            return _lib.lib().winnow_rules_count(self._ptr())

    def __iter__(self):
        return iter(self.list())

    def tunables(self):
        """The tunables as this set has them: dicts of name, value, default, min, max, doc."""
        lib = _lib.lib()
        out = []
        info = _lib.TuneInfo()
        with self._lock:
            for i in range(lib.winnow_tune_count()):
                if lib.winnow_rules_tune_get(self._ptr(), i, ctypes.byref(info)) != _lib.OK:
                    continue
                out.append({"name": _text(info.name), "value": info.value, "default": info.def_,
                            "min": info.min, "max": info.max, "doc": _text(info.doc)})
        return out

    # ---- used by winnow.Filter ----------------------------------------------------------------

    def _open_filter(self, options, write_fn):
        """A winnow_filter over the set (compiled and frozen first, under the lock, so that
        filters may then be made and run in any thread). Returns its handle."""
        lib = _lib.lib()
        err = ctypes.create_string_buffer(_ERR_LEN)
        with self._lock:
            check(lib.winnow_rules_compile(self._ptr(), err, _ERR_LEN), err)
            handle = lib.winnow_filter_open(self._ptr(), ctypes.byref(options), write_fn, None,
                                            err, _ERR_LEN)
            if not self._frozen:
                self._frozen = True
                self._kinds = {r["id"]: r["kind"] for r in self.list()}
        if not handle:
            message = _text(err.value)
            status = _lib.ERR_NOMEM if message in ("", "out of memory") else _lib.ERR_IO
            raise error_for(status, message)
        return handle

    def _kind(self, rule_id):
        return self._kinds.get(rule_id) if self._kinds else None


_default_rules = {}
_default_lock = threading.Lock()


def default_rules(languages=None):
    """The shared built-in rule set (one per language restriction), made on first use."""
    if languages is not None and not isinstance(languages, str):
        languages = ",".join(languages)
    rules = _default_rules.get(languages)
    if rules is None:
        with _default_lock:
            rules = _default_rules.get(languages)
            if rules is None:
                rules = Rules(languages=languages)
                _default_rules[languages] = rules
    return rules
