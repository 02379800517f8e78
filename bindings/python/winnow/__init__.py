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
from .filter import Config, Filter, WholeDocuments, as_bytes, decode
from .rules import Rules

__all__ = [
    "clean", "clean_bytes", "explain", "Cleaned", "Filter", "Rules", "version",
    "WinnowError", "RulesError", "NoMemoryError", "WriteError", "UsageError", "FileError",
]

Cleaned = collections.namedtuple("Cleaned", "text removals")
Cleaned.__doc__ = "What explain() returns: the clean text and the list of removals (dicts)."

_lib.lib()  # ImportError now, naming where it looked, when there is no libwinnow.so

# Filters of whole documents kept per thread, at most this many (the oldest made go first).
_CACHE_SIZE = 8
_local = threading.local()


def version():
    """The library's version string (winnow_version())."""
    return _lib.lib().winnow_version().decode()


def _options_key(options):
    """A hashable key for the options as given (None when one is not hashable)."""
    if not options:
        return ()
    try:
        key = tuple(sorted(options.items()))
        hash(key)
        return key
    except TypeError:
        return None


def _whole_filter(options, report):
    """This thread's filter of whole documents for these options, made on first use; a new
    one, not kept, while the kept one is busy (a callback cleaning again)."""
    try:
        cache = _local.filters
    except AttributeError:
        cache = _local.filters = collections.OrderedDict()
    key = _options_key(options)
    if key is not None:
        f = cache.get((key, report))
        if f is not None and not f.busy and f._handle:
            return f
    config = Config(**options)
    if key is None:  # e.g. a list in the options: their normalised form (the rules kept alive)
        key = ("normalised",) + config.key
        f = cache.get((key, report))
        if f is not None and not f.busy and f._handle:
            return f
    f = WholeDocuments(config, report)
    slot = (key, report)
    old = cache.get(slot)
    if old is not None and old.busy:
        return f
    if old is not None:
        old.close()
    cache[slot] = f
    while len(cache) > _CACHE_SIZE:  # the oldest go; a busy one is freed when its call ends
        _, gone = cache.popitem(last=False)
        if not gone.busy:
            gone.close()
    return f


def clean(text, **options):
    """text (str, one whole document) cleaned, as str.

    Options (the CLI's, see README.md): rules (a winnow.Rules; default the built-in rules),
    languages ("en,de" or a list: the built-in rules for them), format ("auto" | "text" |
    "html"), links ("default" | "keep" | "strip"), embeds ("strip" | "keep"), prefilter
    (False: --no-prefilter), max_removal (a fraction: --max-removal), and the link options
    resolve, offline, follow_all, allow_private, strip_referral, cache (a path, or False),
    jobs, per_host, max_hops, timeout (seconds), clearurls, cacert, connect_to (a list).
    Bytes that are not UTF-8 (surrogateescape'd in text) pass through as they came."""
    if type(text) is not str and not isinstance(text, str):
        raise TypeError("clean() takes str (clean_bytes() takes bytes), not %s"
                        % type(text).__name__)
    data = text.encode("utf-8", "surrogateescape")
    out, _ = _whole_filter(options, False).run(data)
    if out == data:  # nothing removed (a memcmp): the str given, not a decoded copy
        return text
    return out.decode("utf-8", "surrogateescape")


def clean_bytes(data, **options):
    """data (bytes or another buffer, one whole document) cleaned, as bytes; options as for
    clean(). Invalid UTF-8 and NUL bytes pass through."""
    if isinstance(data, str):
        raise TypeError("clean_bytes() takes bytes (clean() takes str), not str")
    out, _ = _whole_filter(options, False).run(as_bytes(data))
    return out


def explain(document, **options):
    """Cleans one document and says what went: Cleaned(text, removals), text of the type given
    (str or bytes) and removals a list of dicts in the order found: rule, kind (of the rule, or
    None for links), stage ("text" or "links"), line, column (1-based; bytes), offset, length
    (bytes of the document's UTF-8 input; for a link, of the text the rules left), text (the
    removed text). Options as for clean()."""
    data = as_bytes(document, "document")
    out, removals = _whole_filter(options, True).run(data)
    if isinstance(document, str):
        out = decode(out)
        for r in removals:
            r["text"] = decode(r["text"])
    return Cleaned(out, removals)
