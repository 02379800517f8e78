#!/usr/bin/env python3
"""cases.py: runs the case files of tests/cases against a winnow binary.

usage: python3 tests/cases.py [-q] [-k TEXT] WINNOW_BINARY [DIR_OR_FILE...]

Every DIR is searched for *.test files (default: tests/cases next to this script); each case
in them is run once: its input on winnow's standard input, its args on the command line
(plus --explain when the case has an explain block). Standard output must equal the case's
out block byte for byte (nothing is normalised), the exit status must be the case's (0
unless it says otherwise), and when the case has an explain block, the removals winnow
reports on standard error must be the ones listed. A crash, or a run longer than 10 seconds,
fails the case. The file format is described in tests/cases/README.md.

Prints "ok TITLE" or "FAIL TITLE (FILE:LINE)" with a short diff per case, then a last line
"N passed, N failed". Exit status: 0 all passed, 1 a case failed (or a file could not be
parsed), 2 usage error. Python 3 standard library only.
"""
import difflib
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile

TIMEOUT = 10  # seconds per case

BLOCKS = ("in", "out", "explain")
OPTIONS = {"in": ("crlf", "noeol", "esc"), "out": ("crlf", "noeol", "esc"), "explain": ()}
HEADER = re.compile(rb"^--- ?(\S*)(.*)$")
EXPLAIN_LINE = re.compile(r"^(\d+):(\d+) +([A-Za-z0-9][A-Za-z0-9_.-]*)$")
# winnow --explain: FILE:LINE:COL: RULE: removed "..."  (FILE is <stdin> here)
REPORT = re.compile(r"^(.*?):(\d+):(\d+): ([A-Za-z0-9][A-Za-z0-9_.-]*): removed ")


class CaseError(Exception):
    def __init__(self, path, line, msg):
        Exception.__init__(self, "%s:%d: %s" % (path, line, msg))


class Case(object):
    def __init__(self, path, line, title):
        self.path, self.line, self.title = path, line, title
        self.args = []
        self.exit = 0
        self.blocks = {}  # name -> (options, [raw lines without their LF], line number)


# --- escapes (block option "esc") ----------------------------------------------------------

ESCAPES = {"\\": "\\", "t": "\t", "r": "\r", "n": "\n", "f": "\f", "s": " ", "0": "\0"}


def unescape(text, path, line):
    """\\\\ \\t \\r \\n \\f \\s (space) \\0 \\xHH (a byte) \\uXXXX \\u{X...} (a character)"""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode("utf-8", "surrogateescape")
            i += 1
            continue
        if i + 1 >= len(text):
            raise CaseError(path, line, "a lone backslash ends the line (write \\\\)")
        e = text[i + 1]
        if e in ESCAPES:
            out += ESCAPES[e].encode()
            i += 2
        elif e == "x" and re.match(r"[0-9A-Fa-f]{2}", text[i + 2:i + 4]):
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        elif e == "u" and text[i + 2:i + 3] == "{":
            m = re.match(r"\{([0-9A-Fa-f]{1,6})\}", text[i + 2:])
            if not m:
                raise CaseError(path, line, "bad \\u{...} escape")
            out += chr(int(m.group(1), 16)).encode("utf-8")
            i += 2 + len(m.group(0))
        elif e == "u" and re.match(r"[0-9A-Fa-f]{4}", text[i + 2:i + 6]):
            out += chr(int(text[i + 2:i + 6], 16)).encode("utf-8")
            i += 6
        else:
            raise CaseError(path, line, "unknown escape \\%s" % e)
    return bytes(out)


# --- parsing -------------------------------------------------------------------------------

def parse_file(path):
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    if lines and all(l.endswith(b"\r") for l in lines if l):
        raise CaseError(path, 1, "the case file has CRLF line ends: save it with LF "
                        "(write '--- in crlf' for CRLF input)")
    cases = []
    case = None
    block = None  # [name, options, lines, line number]
    ended = False

    def close_block(final):
        if block is None:
            return
        body = block[2]
        if final:  # blank lines before the next ### or the end of the file separate cases
            while body and not body[-1].strip():
                body.pop()
        case.blocks[block[0]] = (block[1], body, block[3])

    def close_case():
        if case is None:
            return
        close_block(not ended)
        for need in ("in", "out"):
            if need not in case.blocks:
                raise CaseError(path, case.line, "case '%s' has no '--- %s' block"
                                % (case.title, need))
        cases.append(case)

    for no, raw in enumerate(lines, 1):
        if raw.startswith(b"###"):
            close_case()
            title = raw[3:].strip().decode("utf-8", "replace")
            if not title:
                raise CaseError(path, no, "a case needs a title after ###")
            case, block, ended = Case(path, no, title), None, False
            continue
        if case is None:
            if raw.strip() and not raw.startswith(b"#"):
                raise CaseError(path, no, "text before the first ### case")
            continue
        if raw.startswith(b"---"):
            m = HEADER.match(raw)
            name = m.group(1).decode("utf-8", "replace")
            if name == "end":
                if block is None:
                    raise CaseError(path, no, "'--- end' outside a block")
                close_block(False)
                block, ended = None, True
                continue
            if name not in BLOCKS:
                raise CaseError(path, no, "unknown block '--- %s' (in, out, explain, end; "
                                "write a text line starting with --- as \\x2d-- in an esc "
                                "block)" % name)
            if ended:
                raise CaseError(path, no, "block after '--- end'")
            if name in case.blocks or (block and block[0] == name):
                raise CaseError(path, no, "second '--- %s' block in one case" % name)
            opts = m.group(2).decode("utf-8", "replace").split()
            for o in opts:
                if o not in OPTIONS[name]:
                    raise CaseError(path, no, "'--- %s' takes %s, not '%s'" % (
                        name, ", ".join(OPTIONS[name]) or "no options", o))
            close_block(False)
            block = [name, set(opts), [], no]
            continue
        if block is None:
            text = raw.decode("utf-8", "surrogateescape")
            if ended:
                if text.strip() and not text.startswith("#"):
                    raise CaseError(path, no, "text after '--- end'")
            elif not text.strip() or text.startswith("#"):
                pass
            elif text.startswith("args:"):
                try:
                    case.args = shlex.split(text[5:])
                except ValueError as e:
                    raise CaseError(path, no, "bad args: %s" % e)
            elif text.startswith("exit:"):
                try:
                    case.exit = int(text[5:])
                except ValueError:
                    raise CaseError(path, no, "exit: takes a number")
            else:
                raise CaseError(path, no, "expected args:, exit: or a '--- in' block")
            continue
        block[2].append(raw)
    close_case()
    return cases


def block_bytes(case, name):
    opts, body, line = case.blocks[name]
    out = []
    for i, raw in enumerate(body):
        if "esc" in opts:
            out.append(unescape(raw.decode("utf-8", "surrogateescape"), case.path, line + 1 + i))
        else:
            out.append(raw)
    eol = b"\r\n" if "crlf" in opts else b"\n"
    if not out:
        return b""
    if "crlf" in opts:
        out = [l.replace(b"\n", b"\r\n") for l in out]
    data = eol.join(out)
    if "noeol" not in opts:
        data += eol
    return data


def expected_explain(case):
    opts, body, line = case.blocks["explain"]
    want = []
    for i, raw in enumerate(body):
        text = raw.decode("utf-8", "replace").strip()
        if not text or text.startswith("#"):
            continue
        m = EXPLAIN_LINE.match(text)
        if not m:
            raise CaseError(case.path, line + 1 + i, "explain lines read 'LINE:COL rule-id'")
        want.append((int(m.group(1)), int(m.group(2)), m.group(3)))
    if want != sorted(want, key=lambda r: (r[0], r[1])):
        raise CaseError(case.path, line, "list the explain lines in document order "
                        "(by line, then column)")
    return want


def reported(stderr):
    """The removals in winnow's --explain output, in document order."""
    got = []
    for line in stderr.decode("utf-8", "replace").splitlines():
        m = REPORT.match(line)
        if m:
            got.append((int(m.group(2)), int(m.group(3)), m.group(4)))
    return sorted(got, key=lambda r: (r[0], r[1]))  # stable: same place keeps its order


# --- showing differences -------------------------------------------------------------------

def visible(line):
    """A line of output as text a reader can compare: escapes for invisible bytes, '$' for
    the LF that ends it (\\r$ for CRLF)."""
    text = line.decode("utf-8", "backslashreplace")
    eol = ""
    if text.endswith("\r\n"):
        text, eol = text[:-2], "\\r$"
    elif text.endswith("\n"):
        text, eol = text[:-1], "$"
    else:
        eol = "  (no newline)"
    shown = []
    for ch in text:
        if ch == "\\":
            shown.append("\\\\")
        elif ch == "\t":
            shown.append("\\t")
        elif ch == "\r":
            shown.append("\\r")
        elif ch == " " or ch.isprintable():
            shown.append(ch)
        else:
            shown.append("\\u%04x" % ord(ch) if ord(ch) < 0x10000 else "\\U%08x" % ord(ch))
    if len(shown) > 300:
        shown = shown[:300] + ["..."]
    return "".join(shown) + eol


def show_diff(want, got, out):
    a = [visible(l) for l in want.splitlines(True)]
    b = [visible(l) for l in got.splitlines(True)]
    diff = list(difflib.unified_diff(a, b, "expected", "got", n=2, lineterm=""))
    for d in diff[:40]:
        out.append("    " + d)
    if len(diff) > 40:
        out.append("    ... (%d more diff lines)" % (len(diff) - 40))
    # On a long line the diff does not say where: give the first differing byte.
    wl, gl = want.splitlines(True), got.splitlines(True)
    for i, (x, y) in enumerate(zip(wl, gl), 1):
        if x != y:
            col = next((j for j in range(min(len(x), len(y))) if x[j] != y[j]), min(len(x), len(y)))
            if len(x) > 100 or len(y) > 100:
                out.append("    line %d first differs at byte %d:" % (i, col + 1))
                for label, l in (("expected", x), ("got     ", y)):
                    part = l[max(0, col - 30):col + 50]
                    more = col + 50 < len(l.rstrip(b"\r\n"))
                    part = part.rstrip(b"\n")
                    shown = visible(part + b"\n")[:-1]  # without the "$" added for the LF
                    out.append("      %s %s%s%s" % (label, "..." if col > 30 else "", shown,
                                                    "..." if more else ""))
            break


def fmt_reports(rs):
    return ["%d:%d %s" % r for r in rs]


# --- running -------------------------------------------------------------------------------

class Result(object):
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run(argv, data, env):
    """Runs argv with data on stdin; on timeout kills its whole process group (so nothing it
    started outlives the case) and raises subprocess.TimeoutExpired."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        out, err = proc.communicate(data, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.communicate()
        raise
    return Result(proc.returncode, out, err)


def run_case(binary, case, env):
    """Returns a list of problem lines, empty when the case passes."""
    problems = []
    data = block_bytes(case, "in")
    want = block_bytes(case, "out")
    has_explain = "explain" in case.blocks
    want_explain = expected_explain(case) if has_explain else None
    argv = [binary] + case.args + (["--explain"] if has_explain else [])
    try:
        p = run(argv, data, env)
    except subprocess.TimeoutExpired:
        return ["  timed out after %d s: %s" % (TIMEOUT, " ".join(shlex.quote(a) for a in argv))]
    except OSError as e:
        return ["  cannot run %s: %s" % (binary, e)]
    if p.returncode < 0:
        try:
            sig = signal.Signals(-p.returncode).name
        except ValueError:
            sig = "signal %d" % -p.returncode
        problems.append("  crashed (%s)" % sig)
    elif p.returncode != case.exit:
        problems.append("  exit status %d, expected %d" % (p.returncode, case.exit))
    if problems:
        for l in p.stderr.decode("utf-8", "replace").splitlines()[:5]:
            problems.append("    stderr: " + l)
    if p.stdout != want:
        problems.append("  output differs (- expected, + got; $ ends a line):")
        show_diff(want, p.stdout, problems)
    if has_explain:
        got = reported(p.stderr)
        if got != want_explain:
            problems.append("  explain differs (- expected, + got):")
            d = difflib.unified_diff(fmt_reports(want_explain), fmt_reports(got), "expected",
                                     "got", n=1, lineterm="")
            problems.extend("    " + l for l in list(d)[2:32])
    return problems


def find_files(targets):
    files = []
    for t in targets:
        if os.path.isdir(t):
            for d, subdirs, names in os.walk(t):
                subdirs.sort()
                files.extend(os.path.join(d, n) for n in sorted(names) if n.endswith(".test"))
        else:
            files.append(t)
    return files


def main(argv):
    quiet, only = False, None
    args = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-q", "--quiet"):
            quiet = True
        elif a == "-k" and i + 1 < len(argv):
            only = argv[i + 1]
            i += 1
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        else:
            args.append(a)
        i += 1
    if not args:
        sys.stderr.write("usage: python3 tests/cases.py [-q] [-k TEXT] WINNOW_BINARY "
                         "[DIR_OR_FILE...]\n")
        return 2
    binary = os.path.abspath(args[0])
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        sys.stderr.write("cases.py: %s: not an executable\n" % args[0])
        return 2
    here = os.path.dirname(os.path.abspath(__file__))
    targets = args[1:] or [os.path.join(here, "cases")]
    for t in targets:
        if not os.path.exists(t):
            sys.stderr.write("cases.py: %s: no such file or directory\n" % t)
            return 2
    passed = failed = 0
    tmp = tempfile.mkdtemp(prefix="winnow-cases.")
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = tmp  # a case never sees (or writes) the user's link cache
    try:
        files = find_files(targets)
        for path in files:
            shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
            try:
                cases = parse_file(path)
            except (CaseError, OSError) as e:
                print("FAIL %s" % e)
                failed += 1
                continue
            for case in cases:
                if only is not None and only not in case.title:
                    continue
                case.path = shown
                try:
                    problems = run_case(binary, case, env)
                except CaseError as e:
                    problems = ["  " + str(e)]
                if problems:
                    failed += 1
                    print("FAIL %s (%s:%d)" % (case.title, shown, case.line))
                    for l in problems:
                        print(l)
                else:
                    passed += 1
                    if not quiet:
                        print("ok %s" % case.title)
        if passed + failed == 0:
            print("FAIL no cases found in %s" % " ".join(targets))
            failed += 1
    finally:
        for d, subdirs, names in os.walk(tmp, topdown=False):
            for n in names:
                os.unlink(os.path.join(d, n))
            for n in subdirs:
                os.rmdir(os.path.join(d, n))
        os.rmdir(tmp)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        rc = main(sys.argv[1:])
        sys.stdout.flush()
    except BrokenPipeError:  # python3 tests/cases.py ... | head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        rc = 1
    except KeyboardInterrupt:
        rc = 130
    sys.exit(rc)
