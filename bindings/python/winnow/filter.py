# filter.py: winnow.Filter (a streaming winnow_filter: push bytes or str, end documents, read the
# output and the removals) and the options' mapping onto struct winnow_options. Invariants: a
# Filter's C calls are serialised by its lock and never re-entered; callbacks only append to
# the sink (they hold the GIL briefly) and turn any exception into a stop, re-raised after.
import codecs
import ctypes
import math
import os
import threading

from . import _lib
from .errors import UsageError, error_for
from .rules import Rules, default_rules

_string_at = ctypes.string_at

# option name -> what it takes, for the messages
OPTION_NAMES = (
    "format", "links", "embeds", "prefilter", "max_removal", "languages",
    "resolve", "offline", "follow_all", "allow_private", "strip_referral", "cache", "jobs",
    "per_host", "max_hops", "timeout", "clearurls", "cacert", "connect_to", "cache_prefix",
)
_LINK_FLAGS = ("resolve", "offline", "follow_all", "allow_private", "strip_referral")
_LINK_COUNTS = {"jobs": (1, 4096), "per_host": (1, 4096), "max_hops": (0, 100)}


def _choice(name, value, choices):
    if not isinstance(value, str):
        raise TypeError("%s must be a str (%s), not %s" % (name, " | ".join(choices),
                                                          type(value).__name__))
    if value not in choices:
        raise UsageError("%s takes %s, not %r" % (name, " | ".join(choices), value))
    return value


def _path(name, value):
    if not isinstance(value, (str, bytes, os.PathLike)):
        raise TypeError("%s must be a path, not %s" % (name, type(value).__name__))
    value = os.fsencode(value)
    if b"\0" in value:
        raise ValueError("%s must not hold a NUL byte" % name)
    return value


class Config:
    """Options checked and normalised: .key (hashable, for caching filters), .rules, and
    make_struct() for the struct winnow_options they give."""

    def __init__(self, rules=None, **options):
        unknown = sorted(set(options) - set(OPTION_NAMES))
        if unknown:
            raise TypeError("unknown option%s %s (options: %s)" % (
                "s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(OPTION_NAMES)))
        languages = options.pop("languages", None)
        if rules is None:
            rules = default_rules(languages)
        elif not isinstance(rules, Rules):
            raise TypeError("rules must be a winnow.Rules, not %s" % type(rules).__name__)
        elif languages is not None:
            raise UsageError("languages= is for the built-in rules; for a Rules of your own, "
                             "use Rules(languages=...)")
        self.rules = rules
        fmt = _choice("format", options.pop("format", "auto"), _lib.FORMATS)
        links = _choice("links", options.pop("links", "default"), _lib.LINKS_MODES)
        embeds = _choice("embeds", options.pop("embeds", "strip"), ("strip", "keep"))
        prefilter = options.pop("prefilter", True)
        if not isinstance(prefilter, bool):
            raise TypeError("prefilter must be True or False")
        max_removal = options.pop("max_removal", 0.0)
        if isinstance(max_removal, bool) or not isinstance(max_removal, (int, float)):
            raise TypeError("max_removal must be a number from 0 to 1")
        max_removal = float(max_removal)
        if not (0.0 <= max_removal <= 1.0) or math.isnan(max_removal):
            raise UsageError("max_removal takes a fraction from 0 to 1 (0: off), not %r"
                             % max_removal)
        link = {}  # the link options given, normalised
        for name in _LINK_FLAGS:
            if name in options:
                value = options.pop(name)
                if not isinstance(value, bool):
                    raise TypeError("%s must be True or False" % name)
                link[name] = value
        for name, (lo, hi) in _LINK_COUNTS.items():
            if name in options:
                value = options.pop(name)
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError("%s must be an int" % name)
                if not lo <= value <= hi:
                    raise UsageError("%s takes %d to %d, not %d" % (name, lo, hi, value))
                link[name] = value
        if "timeout" in options:
            value = options.pop("timeout")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError("timeout must be a number of seconds")
            if not 0.001 <= value <= 3600:
                raise UsageError("timeout takes 0.001 to 3600 seconds, not %r" % value)
            link["timeout"] = int(round(value * 1000))
        if "cache" in options:  # a path, or False for no cache
            value = options.pop("cache")
            link["cache"] = False if value is False else _path("cache", value)
        for name in ("clearurls", "cacert"):
            if name in options:
                link[name] = _path(name, options.pop(name))
        if "cache_prefix" in options:  # the Redis cache's key namespace
            value = options.pop("cache_prefix")
            if not isinstance(value, str) or "\0" in value:
                raise TypeError("cache_prefix must be a str without NUL")
            link["cache_prefix"] = value.encode("utf-8")
        if "connect_to" in options:
            value = options.pop("connect_to")
            if isinstance(value, (str, bytes)):
                value = [value]
            entries = []
            for v in value:
                if not isinstance(v, (str, bytes)):
                    raise TypeError("connect_to entries must be str (HOST:PORT:ADDR:PORT)")
                v = v.encode() if isinstance(v, str) else v
                if b"\0" in v:
                    raise ValueError("connect_to entries must not hold a NUL byte")
                entries.append(v)
            link["connect_to"] = tuple(entries)
        self.format, self.links, self.embeds = fmt, links, embeds
        self.prefilter, self.max_removal, self.link = prefilter, max_removal, link
        self.key = (id(rules), fmt, links, embeds, prefilter, max_removal,
                    tuple(sorted(link.items())))

    def make_struct(self, whole=False):
        """(struct winnow_options, what must stay alive while a filter uses it). whole: the
        filter is given whole documents, and should write each in one call (see WHOLE)."""
        opts = _lib.new_options()
        opts.keep_embeds = 1 if self.embeds == "keep" else 0
        opts.links = _lib.LINKS_MODES[self.links]
        opts.format = _lib.FORMATS[self.format]
        opts.no_prefilter = 0 if self.prefilter else 1
        # a library without winnow_filter_clean: the guard at 1.0 holds a whole document and
        # writes it in one call (see WHOLE)
        old_library = whole and getattr(_lib.lib(), "winnow_filter_clean", None) is None
        opts.max_removal = self.max_removal or (WHOLE if old_library else 0.0)
        keep = []
        if self.link:
            lopts = _lib.new_link_options()
            for name in _LINK_FLAGS:
                if name in self.link:
                    setattr(lopts, name, 1 if self.link[name] else 0)
            for name in _LINK_COUNTS:
                if name in self.link:
                    setattr(lopts, name, self.link[name])
            if "timeout" in self.link:
                lopts.timeout_ms = self.link["timeout"]
            if "cache" in self.link:
                if self.link["cache"] is False:
                    lopts.no_cache = 1
                else:
                    lopts.cache_path = self.link["cache"]
            if "clearurls" in self.link:
                lopts.clearurls = self.link["clearurls"]
            if "cacert" in self.link:
                lopts.cacert = self.link["cacert"]
            if "cache_prefix" in self.link:
                lopts.cache_prefix = self.link["cache_prefix"]
            if "connect_to" in self.link:
                entries = self.link["connect_to"]
                arr = (ctypes.c_char_p * (len(entries) + 1))(*entries, None)
                lopts.connect_to = ctypes.cast(arr, ctypes.POINTER(ctypes.c_char_p))
                keep.append(arr)
            opts.link_options = ctypes.pointer(lopts)
            keep.append(lopts)
        return opts, keep


# Whole documents go through winnow_filter_clean: the output comes back in one piece of the
# library's memory, no Python callback for it. With a library older than that, max_removal for
# filters of whole documents: the guard then holds each document and writes its output in one
# call at its end, one Python callback a document instead of one a run of lines; with 1.0 it
# never keeps a document as it came (no document loses more than all of its bytes).
WHOLE = 1.0
# A filter of whole documents that cleaned a document larger than this is freed after it (the
# next call makes another), not kept holding buffers of the document's size.
BIG_DOCUMENT = 16 << 20


def as_bytes(data, what="input"):
    """bytes for a C buffer: str as UTF-8 (lone surrogates from surrogateescape back to their
    bytes), bytes as they are, other buffers copied."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8", "surrogateescape")
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError("%s must be str or bytes, not %s" % (what, type(data).__name__))


def decode(data):
    return data.decode("utf-8", "surrogateescape")


class _Sink:
    """What the callbacks fill: output chunks, removals, and the first exception raised."""

    __slots__ = ("chunks", "removals", "error", "text", "rules", "on_removal", "on_trace")

    def __init__(self, rules, text):
        self.chunks = []
        self.removals = []
        self.error = None
        self.text = text
        self.rules = rules
        self.on_removal = None
        self.on_trace = None


def _make_write(sink):
    chunks = sink.chunks

    def on_write(ctx, buf, n):
        try:
            if n:
                chunks.append(buf[:n])
            return 0
        except BaseException as e:  # MemoryError, KeyboardInterrupt: stop, raise after
            if sink.error is None:
                sink.error = e
            return 1
    return _lib.WRITE_FN(on_write)


def removal_dict(r, rules, text):
    """A struct winnow_removal as a dict (positions in bytes of the document's input)."""
    removed = _string_at(r.text, r.len) if r.len else b""
    rule = r.rule_id.decode("utf-8", "replace") if r.rule_id else None
    return {
        "rule": rule,
        "kind": rules._kind(rule),
        "stage": _lib.STAGES.get(r.stage, str(r.stage)),
        "line": r.line,
        "column": r.col,
        "offset": r.offset,
        "length": r.span if r.span else r.len,
        "text": decode(removed) if text else removed,
    }


def _make_report(sink):
    def on_report(ctx, p):
        if sink.error is not None:
            return
        try:
            d = removal_dict(p.contents, sink.rules, sink.text)
            if sink.on_removal is not None:
                sink.on_removal(d)
            else:
                sink.removals.append(d)
        except BaseException as e:
            sink.error = e  # reported once the C call returns
    return _lib.REPORT_FN(on_report)


def _make_trace(sink):
    def on_trace(ctx, p):
        if sink.error is not None:
            return
        try:
            t = p.contents
            s = lambda b: b.decode("utf-8", "replace") if b is not None else None  # noqa: E731
            sink.on_trace({"line": t.line, "decision": s(t.decision), "label": s(t.label),
                           "rule": s(t.rule_id), "reason": s(t.reason),
                           "features": s(t.features)})
        except BaseException as e:
            sink.error = e
    return _lib.TRACE_FN(on_trace)


class Filter:
    """A streaming filter: push() bytes or str of a document (lines may be split anywhere),
    end_document() to end it (footers and titles are found per document), read() or iterate
    for the output so far, removals() for the removals so far. Documents follow one another
    with no separator between their outputs.

    text=True: read() and iteration give str (UTF-8, undecodable bytes as surrogateescape),
    removals' text too; else bytes. report=True collects removals for removals(); a callable
    is called with each removal's dict instead. trace: a callable called with each line's fate
    (dicts of line, decision, label, rule, reason, features). Other options: as winnow.clean.
    A Filter may be used from one thread at a time (calls from others wait)."""

    def __init__(self, rules=None, *, text=False, report=False, trace=None, _config=None,
                 **options):
        self._handle = None
        self._lock = threading.RLock()
        self._busy = False
        self.config = _config if _config is not None else Config(rules, **options)
        self.rules = self.config.rules
        self.text = bool(text)
        self._sink = _Sink(self.rules, self.text)
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self._ready = []  # decoded output (text mode) not yet read
        opts, self._keep = self.config.make_struct()
        self._write_fn = _make_write(self._sink)
        self._report_fn = self._trace_fn = None
        if report:
            if callable(report):
                self._sink.on_removal = report
            self._report_fn = _make_report(self._sink)
            opts.report = self._report_fn
        if trace is not None:
            if not callable(trace):
                raise TypeError("trace must be a callable")
            self._sink.on_trace = trace
            self._trace_fn = _make_trace(self._sink)
            opts.trace = self._trace_fn
        self._options = opts
        self._lib = _lib.lib()
        self._handle = self.rules._open_filter(opts, self._write_fn)

    # ---- the C calls --------------------------------------------------------------------------

    def _call(self, fn, *args):
        """fn(handle, *args) under the lock, raising what the callbacks raised or the status."""
        with self._lock:
            if self._busy:
                raise UsageError("a winnow.Filter cannot be used from its own callbacks")
            if not self._handle:
                raise UsageError("the filter is closed")
            self._busy = True
            try:
                status = fn(self._handle, *args)
            finally:
                self._busy = False
            sink = self._sink
            if sink.error is not None:
                e, sink.error = sink.error, None
                raise e
            if status != _lib.OK:
                raise error_for(status)

    def push(self, data):
        """Feeds bytes (or str, as UTF-8) of the current document."""
        data = as_bytes(data)
        self._call(self._lib.winnow_filter_push, data, len(data))

    def end_document(self, data=b""):
        """Ends the current document, data (if any) being its last bytes: every held line is
        written. The filter is then ready for the next document."""
        data = as_bytes(data)
        if data:
            self._call(self._lib.winnow_filter_push_last, data, len(data))
        else:
            self._call(self._lib.winnow_filter_end_document)
        if self.text:
            self._ready.append(self._decoder.decode(b"".join(self._sink.chunks), True))
            self._sink.chunks.clear()

    def clean(self, data):
        """Ends the current document with data (a whole document, usually) and returns the
        output not yet read: str for str data, bytes for bytes."""
        self.end_document(data)
        out = self.read()
        if isinstance(data, str) and isinstance(out, bytes):
            return decode(out)
        if not isinstance(data, str) and isinstance(out, str):
            return as_bytes(out)
        return out

    # ---- the output ---------------------------------------------------------------------------

    def read(self):
        """The output written since the last read (bytes, or str with text=True)."""
        with self._lock:
            chunks = self._sink.chunks
            data = b"".join(chunks)
            chunks.clear()
            if not self.text:
                return data
            ready, self._ready = self._ready, []
            ready.append(self._decoder.decode(data))
            return "".join(ready)

    def __iter__(self):
        """The output not yet read, piece by piece (as the library wrote it)."""
        while True:
            with self._lock:
                if self.text and self._ready:
                    yield self._ready.pop(0)
                    continue
                if not self._sink.chunks:
                    return
                piece = self._sink.chunks.pop(0)
            if self.text:
                piece = self._decoder.decode(piece)
                if not piece:
                    continue
            yield piece

    def removals(self):
        """The removals reported since the last call (with report=True), as dicts: rule, kind,
        stage, line, column, offset, length (bytes of the input), text."""
        with self._lock:
            out = list(self._sink.removals)
            self._sink.removals.clear()
            return out

    def stats(self):
        """Lines and bytes in and removed so far, over all documents."""
        st = _lib.Stats()
        with self._lock:
            if not self._handle:
                raise UsageError("the filter is closed")
            self._lib.winnow_filter_stats(self._handle, ctypes.byref(st))
        return {name: getattr(st, name) for name, _ in _lib.Stats._fields_}

    # ---- life ---------------------------------------------------------------------------------

    @property
    def closed(self):
        return not self._handle

    def close(self):
        """Frees the C filter (output not read stays readable). Closing twice is fine."""
        with self._lock:
            if self._busy:
                raise UsageError("a winnow.Filter cannot be closed from its own callbacks")
            handle, self._handle = self._handle, None
            if handle:
                self._lib.winnow_filter_free(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            try:
                self._lib.winnow_filter_free(handle)
            except Exception:  # interpreter shutdown
                pass


class WholeDocuments:
    """One thread's filter for winnow.clean and winnow.explain: each call cleans one whole
    document in one C call (push_last) and returns its output (and removals). Not shared
    between threads; busy while a call runs (a callback cleaning again gets another)."""

    __slots__ = ("config", "rules", "report", "busy", "_sink", "_keep", "_write_fn",
                 "_report_fn", "_options", "_handle", "_push_last", "_clean", "_lib_free", "_free")

    def __init__(self, config, report):
        self.config = config
        self.rules = config.rules
        self.report = report
        self.busy = False
        self._handle = None
        self._sink = _Sink(self.rules, False)
        opts, self._keep = config.make_struct(whole=True)
        self._write_fn = _make_write(self._sink)
        self._report_fn = None
        if report:
            self._report_fn = _make_report(self._sink)
            opts.report = self._report_fn
        self._options = opts
        lib = _lib.lib()
        self._push_last = lib.winnow_filter_push_last
        self._clean = getattr(lib, "winnow_filter_clean", None)
        self._lib_free = getattr(lib, "winnow_free", None)
        self._free = lib.winnow_filter_free
        self._handle = self.rules._open_filter(opts, self._write_fn)

    def run(self, data):
        """data (bytes, a whole document) cleaned: (bytes, removals list or None). After an
        exception the filter is closed (its state is unknown)."""
        sink = self._sink
        chunks = sink.chunks
        self.busy = True
        try:
            if self._clean is not None:  # into the library's memory: no callback for output
                out_p, out_n = ctypes.c_void_p(), ctypes.c_size_t()
                status = self._clean(self._handle, data, len(data), ctypes.byref(out_p),
                                     ctypes.byref(out_n))
                if out_p.value:
                    chunks.append(ctypes.string_at(out_p.value, out_n.value))
                    self._lib_free(out_p)
            else:
                status = self._push_last(self._handle, data, len(data))
        except BaseException:
            self.close()
            raise
        finally:
            self.busy = False
        if sink.error is not None or status:
            e, sink.error = sink.error, None
            chunks.clear()
            sink.removals.clear()
            self.close()
            raise e if e is not None else error_for(status)
        out = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        if len(data) > BIG_DOCUMENT:  # the guard's buffers are that big now: let them go
            self.close()
        if not self.report:
            return out, None
        removals = sink.removals[:]
        sink.removals.clear()
        return out, removals

    @property
    def closed(self):
        return not self._handle

    def close(self):
        handle, self._handle = self._handle, None
        if handle:
            self._free(handle)

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass
