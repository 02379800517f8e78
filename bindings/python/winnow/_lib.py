# _lib.py: finds and loads libwinnow.so and declares, with ctypes, the structs and functions of
# include/winnow.h that the binding uses; nothing else in the package knows the C layout.
# Invariant: these definitions mirror the header of the library loaded (update them together).
import ctypes
import ctypes.util
import os
import threading

c_int, c_long, c_double, c_size_t = ctypes.c_int, ctypes.c_long, ctypes.c_double, ctypes.c_size_t
c_char_p, c_void_p, c_ulonglong = ctypes.c_char_p, ctypes.c_void_p, ctypes.c_ulonglong
c_ulong = ctypes.c_ulong

# enum winnow_status
OK, ERR_RULES, ERR_NOMEM, ERR_WRITE, ERR_USAGE, ERR_IO = 0, 1, 2, 3, 4, 5
# enum winnow_format, enum winnow_links_mode, enum winnow_stage
FORMATS = {"auto": 0, "text": 1, "html": 2}
LINKS_MODES = {"default": 0, "keep": 1, "strip": 2}
STAGES = {1: "text", 2: "links", 3: "record", 4: "document"}

# Callbacks: buffers are not c_char_p, which ctypes would copy up to a NUL byte; the write
# callback's is a char pointer, whose slice buf[:n] is the fastest copy ctypes has.
WRITE_FN = ctypes.CFUNCTYPE(c_int, c_void_p, ctypes.POINTER(ctypes.c_char), c_size_t)


class Removal(ctypes.Structure):
    """struct winnow_removal"""
    _fields_ = [
        ("line", c_ulonglong),
        ("col", c_size_t),
        ("rule_id", c_char_p),
        ("text", c_void_p),
        ("len", c_size_t),
        ("offset", c_ulonglong),
        ("stage", c_int),
        ("span", c_ulonglong),
    ]


REPORT_FN = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(Removal))


class Trace(ctypes.Structure):
    """struct winnow_trace"""
    _fields_ = [
        ("line", c_ulonglong),
        ("decision", c_char_p),
        ("label", c_char_p),
        ("rule_id", c_char_p),
        ("reason", c_char_p),
        ("features", c_char_p),
    ]


TRACE_FN = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(Trace))


class Edit(ctypes.Structure):
    """struct winnow_edit (declared for the options struct's layout; not used yet)"""
    _fields_ = [
        ("stage", c_int),
        ("offset", c_ulonglong),
        ("raw", c_void_p),
        ("raw_len", c_size_t),
        ("out", c_void_p),
        ("out_len", c_size_t),
        ("rule_id", c_char_p),
        ("line", c_ulonglong),
    ]


EDIT_FN = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(Edit))


class LinkOptions(ctypes.Structure):
    """struct winnow_link_options"""
    _fields_ = [
        ("size", c_size_t),  # the struct's size as laid out here (include/winnow.h, ABI)
        ("resolve", c_int),
        ("offline", c_int),
        ("follow_all", c_int),
        ("allow_private", c_int),
        ("strip_referral", c_int),
        ("no_cache", c_int),
        ("jobs", c_int),
        ("per_host", c_int),
        ("max_hops", c_int),
        ("timeout_ms", c_long),
        ("cache_path", c_char_p),
        ("clearurls", c_char_p),
        ("cacert", c_char_p),
        ("connect_to", ctypes.POINTER(c_char_p)),
        ("cache_prefix", c_char_p),  # issue 12 (Redis cache); a library without it ignores it
    ]


class Options(ctypes.Structure):
    """struct winnow_options"""
    _fields_ = [
        ("size", c_size_t),  # the struct's size as laid out here (include/winnow.h, ABI)
        ("keep_embeds", c_int),
        ("links", c_int),
        ("format", c_int),
        ("link_options", ctypes.POINTER(LinkOptions)),
        ("report", REPORT_FN),
        ("report_ctx", c_void_p),
        ("trace", TRACE_FN),
        ("trace_ctx", c_void_p),
        ("no_prefilter", c_int),
        ("max_removal", c_double),
        ("edit", EDIT_FN),
        ("edit_ctx", c_void_p),
    ]


class RuleInfo(ctypes.Structure):
    """struct winnow_rule_info"""
    _fields_ = [
        ("id", c_char_p),
        ("kind", c_char_p),
        ("langs", c_char_p),
        ("pattern", c_char_p),
        ("origin", c_char_p),
        ("enabled", c_int),
        ("prefilter", c_char_p),
        ("limit_hits", c_ulong),
    ]


class TuneInfo(ctypes.Structure):
    """struct winnow_tune_info"""
    _fields_ = [
        ("name", c_char_p),
        ("value", c_long),
        ("def_", c_long),
        ("min", c_long),
        ("max", c_long),
        ("doc", c_char_p),
    ]


class Stats(ctypes.Structure):
    """struct winnow_stats"""
    _fields_ = [
        ("lines_in", c_ulonglong),
        ("lines_removed", c_ulonglong),
        ("spans_cut", c_ulonglong),
        ("bytes_in", c_ulonglong),
        ("bytes_out", c_ulonglong),
    ]


# Structs the binding hands to the library start with their size, which the library reads no
# further than (a newer library's members past it take their defaults). They also sit in zeroed
# buffers this much longer than their ctypes layout, as before the size member was there.
SLACK = 256


def zeroed(struct_type):
    """A zeroed struct_type at the start of a buffer SLACK bytes longer (kept alive by it)."""
    return struct_type.from_buffer(bytearray(ctypes.sizeof(struct_type) + SLACK))


def new_options():
    """A zeroed struct winnow_options with its size set, as the header's inline
    winnow_options_init() does (it is not in the library: it must be the caller's size)."""
    opts = zeroed(Options)
    opts.size = ctypes.sizeof(Options)
    return opts


def new_link_options():
    """A zeroed struct winnow_link_options with its size set (winnow_link_options_init)."""
    lopts = zeroed(LinkOptions)
    lopts.size = ctypes.sizeof(LinkOptions)
    return lopts


# name: (restype, argtypes). Every call goes through a CDLL, which releases the GIL.
_PROTOTYPES = {
    "winnow_version": (c_char_p, []),
    "winnow_rules_new": (c_void_p, []),
    "winnow_rules_free": (None, [c_void_p]),
    "winnow_rules_load_defaults": (c_int, [c_void_p, c_char_p, c_size_t]),
    "winnow_rules_load_file": (c_int, [c_void_p, c_char_p, c_char_p, c_size_t]),
    "winnow_rules_load_buffer": (c_int, [c_void_p, c_char_p, c_char_p, c_size_t, c_char_p,
                                         c_size_t]),
    "winnow_rules_disable": (c_int, [c_void_p, c_char_p]),
    "winnow_rules_restrict_languages": (c_int, [c_void_p, c_char_p]),
    "winnow_rules_compile": (c_int, [c_void_p, c_char_p, c_size_t]),
    "winnow_rules_count": (c_size_t, [c_void_p]),
    "winnow_rules_get": (c_int, [c_void_p, c_size_t, ctypes.POINTER(RuleInfo)]),
    "winnow_tune_count": (c_size_t, []),
    "winnow_rules_tune_get": (c_int, [c_void_p, c_size_t, ctypes.POINTER(TuneInfo)]),
    "winnow_rules_tune_set": (c_int, [c_void_p, c_char_p, c_long]),
    "winnow_filter_open": (c_void_p, [c_void_p, ctypes.POINTER(Options), WRITE_FN, c_void_p,
                                      c_char_p, c_size_t]),
    "winnow_filter_push": (c_int, [c_void_p, c_char_p, c_size_t]),
    "winnow_filter_push_last": (c_int, [c_void_p, c_char_p, c_size_t]),
    "winnow_filter_end_document": (c_int, [c_void_p]),
    "winnow_filter_stats": (None, [c_void_p, ctypes.POINTER(Stats)]),
    "winnow_filter_free": (None, [c_void_p]),
}
# present in later libraries only: declared when the loaded one has them
_OPTIONAL = {
    "winnow_strerror": (c_char_p, [c_int]),
    # a whole document into the library's memory, in one piece (0.2.0)
    "winnow_filter_clean": (c_int, [c_void_p, c_char_p, c_size_t, ctypes.POINTER(c_void_p),
                                    ctypes.POINTER(c_size_t)]),
    "winnow_free": (None, [c_void_p]),
}

_lib = None
_lib_lock = threading.Lock()
_here = os.path.dirname(os.path.abspath(__file__))


def candidates():
    """Where the library is looked for, in order."""
    env = os.environ.get("WINNOW_LIBRARY")
    if env:
        return [env]  # asked for by path: nothing else is tried
    found = [
        os.path.join(_here, "libwinnow.so"),  # installed beside the package
        os.path.join(_here, "..", "libwinnow.so"),
        os.path.normpath(os.path.join(_here, "..", "..", "..", "build", "libwinnow.so")),
    ]
    found = [p for p in found if os.path.exists(p)]
    name = ctypes.util.find_library("winnow")
    if name:
        found.append(name)
    found.append("libwinnow.so.0")
    return found


def lib():
    """The loaded library, its functions declared (loaded on first use)."""
    global _lib
    if _lib is not None:
        return _lib
    with _lib_lock:
        if _lib is not None:
            return _lib
        tried = []
        handle = None
        for path in candidates():
            try:
                handle = ctypes.CDLL(path)
                break
            except OSError as e:
                tried.append("%s (%s)" % (path, e))
        if handle is None:
            raise ImportError("winnow: libwinnow.so not found; build it (make build/libwinnow.so)"
                              " or set WINNOW_LIBRARY to its path. Tried: " + "; ".join(tried))
        for name, (restype, argtypes) in _PROTOTYPES.items():
            fn = getattr(handle, name)
            fn.restype, fn.argtypes = restype, argtypes
        for name, (restype, argtypes) in _OPTIONAL.items():
            fn = getattr(handle, name, None)
            if fn is not None:
                fn.restype, fn.argtypes = restype, argtypes
        _lib = handle
        return _lib


def strerror(status):
    """winnow_strerror(status) when the library has it, else None."""
    fn = getattr(lib(), "winnow_strerror", None)
    if fn is None:
        return None
    text = fn(status)
    return text.decode("utf-8", "replace") if text else None
