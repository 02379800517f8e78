# winnow: the Python binding of libwinnow (ctypes over libwinnow.so, standard library only):
# clean(), clean_bytes(), explain(), Filter, Rules and the WinnowError family. Invariant: a
# document is pushed whole in one C call (the GIL released), through a per-thread cached filter.
"""Clean scraped news articles with libwinnow.

    import winnow
    clean = winnow.clean(text)                      # str -> str
    clean, removals = winnow.explain(text)          # and what went, as dicts
    rules = winnow.Rules(disable=["share-prompt"])  # built-in rules, one turned off
    winnow.clean(text, rules=rules, links="keep", format="text")

The library is loaded on import, from $WINNOW_LIBRARY (a path) if set, else beside the package,
the source tree's build/libwinnow.so, ctypes.util.find_library("winnow"), libwinnow.so.0.
"""
import collections
import threading

from . import _lib
from .errors import (FileError, NoMemoryError, RulesError, UsageError, WinnowError,
                     WriteError)
from .filter import Config, Filter, as_bytes, decode
from .rules import Rules, default_rules

__all__ = [
    "clean", "clean_bytes", "explain", "Cleaned", "Filter", "Rules", "version",
    "WinnowError", "RulesError", "NoMemoryError", "WriteError", "UsageError", "FileError",
]

Cleaned = collections.namedtuple("Cleaned", "text removals")
Cleaned.__doc__ = "What explain() returns: the clean text and the list of removals (dicts)."

_lib.lib()  # ImportError now, naming where it looked, when there is no libwinnow.so

# Filters kept per thread, at most this many (least recently used go first).
_CACHE_SIZE = 8
_local = threading.local()


def version():
    """The library's version string (winnow_version())."""
    return _lib.lib().winnow_version().decode()


def _cached_filter(config, report):
    """This thread's filter for these options (made on first use); None when it is busy (a
    callback cleaning re-entered)."""
    cache = getattr(_local, "filters", None)
    if cache is None:
        cache = _local.filters = collections.OrderedDict()
    key = (config.key, report)
    f = cache.get(key)
    if f is not None and not f.closed:
        cache.move_to_end(key)
        return None if f._busy else f
    f = Filter(config.rules, report=report, _config=config)
    cache[key] = f
    while len(cache) > _CACHE_SIZE:
        _, old = cache.popitem(last=False)
        old.close()
    return f


def _run(data, options, report):
    """data's output bytes and removals (a list, with report) through a cached filter."""
    config = Config(**options)
    f = _cached_filter(config, report)
    if f is None:  # re-entered from a callback: a filter of its own
        with Filter(config.rules, report=report, _config=config) as g:
            return _once(g, data)
    try:
        return _once(f, data)
    except BaseException:
        f.close()  # its state is unknown: the next call makes a new one
        raise


def _once(f, data):
    f.end_document(data)
    return f.read(), (f.removals() if f._report_fn is not None else None)


def clean(text, **options):
    """text (str, one whole document) cleaned, as str.

    Options (the CLI's, see README.md): rules (a winnow.Rules; default the built-in rules),
    languages ("en,de" or a list: the built-in rules for them), format ("auto" | "text" |
    "html"), links ("default" | "keep" | "strip"), embeds ("strip" | "keep"), prefilter
    (False: --no-prefilter), max_removal (a fraction: --max-removal), and the link options
    resolve, offline, follow_all, allow_private, strip_referral, cache (a path, or False),
    jobs, per_host, max_hops, timeout (seconds), clearurls, cacert, connect_to (a list).
    Bytes that are not UTF-8 (surrogateescape'd in text) pass through as they came."""
    if not isinstance(text, str):
        raise TypeError("clean() takes str (clean_bytes() takes bytes), not %s"
                        % type(text).__name__)
    out, _ = _run(as_bytes(text), options, False)
    return decode(out)


def clean_bytes(data, **options):
    """data (bytes or another buffer, one whole document) cleaned, as bytes; options as for
    clean(). Invalid UTF-8 and NUL bytes pass through."""
    if isinstance(data, str):
        raise TypeError("clean_bytes() takes bytes (clean() takes str), not str")
    out, _ = _run(as_bytes(data), options, False)
    return out


def explain(document, **options):
    """Cleans one document and says what went: Cleaned(text, removals), text of the type given
    (str or bytes) and removals a list of dicts in the order found: rule, kind (of the rule, or
    None for links), stage ("text" or "links"), line, column (1-based; bytes), offset, length
    (bytes of the document's UTF-8 input; for a link, of the text the rules left), text (the
    removed text). Options as for clean()."""
    data = as_bytes(document, "document")
    out, removals = _run(data, options, True)
    if isinstance(document, str):
        out = decode(out)
        for r in removals:
            r["text"] = decode(r["text"])
    return Cleaned(out, removals)
