#!/usr/bin/env python3
"""trie.py: writes a list of words as the alternation the long rules use.

    python3 rules/trie.py 'lees ook|lees meer|meer lezen|zie ook'
    python3 rules/trie.py --plain 'tags|topics|filed under'

The argument is a plain alternation: words separated by '|', with (?:a|b) groups, [ab] sets
and a '?' after either (no other regex syntax). The output matches exactly the same strings;
use it inside (?i) as the rules do, with the words written in lower case.

Why: PCRE2 tries the branches of an alternation one after another, and its JIT gives each
branch its own stretch of code, so a line that fails a 60-word alternation runs 60 tests
spread over many cache lines, on every line the rule is tried on. Grouping the words by their
leading letters (a trie) makes that one test per distinct first letter; --plain stops there.
By default a node with more than two next letters also picks its branch with a binary tree
of conditionals on letter classes, (?(?=[a-l])...|...), so a failing try runs a few class
tests. A lookahead naming the first letters keeps PCRE2's first-byte data, which the engine
uses to skip the rule on lines that cannot start it.
"""
import sys

SPECIAL = set('\\^$.|?*+()[]{}')


def esc(s):
    return ''.join('\\' + c if c in SPECIAL else c for c in s)


def expand(spec):
    """Every string the plain alternation `spec` matches."""
    pos = 0

    def alt():
        nonlocal pos
        out = seq()
        while pos < len(spec) and spec[pos] == '|':
            pos += 1
            out += seq()
        return out

    def seq():
        nonlocal pos
        res = ['']
        while pos < len(spec) and spec[pos] not in '|)':
            c = spec[pos]
            if c == '(':
                if spec[pos:pos + 3] != '(?:':
                    raise ValueError('only (?:...) groups: ' + spec)
                pos += 3
                atom = alt()
                if pos >= len(spec) or spec[pos] != ')':
                    raise ValueError('unclosed group: ' + spec)
                pos += 1
            elif c == '[':
                end = spec.index(']', pos)
                atom = list(spec[pos + 1:end])
                pos = end + 1
            elif c == '\\':
                atom = [spec[pos + 1]]
                pos += 2
            else:
                atom = [c]
                pos += 1
            if pos < len(spec) and spec[pos] == '?':
                atom = atom + ['']
                pos += 1
            res = [a + b for a in res for b in atom]
        return res

    words = alt()
    if pos != len(spec):
        raise ValueError('unbalanced: ' + spec)
    return words


def _groups(ws):
    """Whether the empty word is among ws, and the other words grouped by first letter."""
    term = '' in ws
    groups = {}
    for w in ws:
        if w:
            groups.setdefault(w[0], []).append(w[1:])
    return term, groups


def trie(words):
    """The words grouped by their leading letters."""
    def node(ws):
        term, groups = _groups(ws)
        if not groups:
            return ''
        parts = [esc(c) + node(groups[c]) for c in sorted(groups)]
        if len(parts) == 1 and not term:
            return parts[0]
        return '(?:' + '|'.join(parts) + ')' + ('?' if term else '')
    return node(sorted(set(words)))


def _cls(chars):
    return '[' + ''.join('\\' + c if c in '\\]^-[' else c for c in sorted(chars)) + ']'


def ctrie(words, leaf=2):
    """trie(), with a binary tree of conditional lookaheads where a node has more than
    `leaf` next letters."""
    def node(ws):
        term, groups = _groups(ws)
        if not groups:
            return ''
        keys = sorted(groups)

        def split(ks):
            if len(ks) <= leaf:
                parts = [esc(c) + node(groups[c]) for c in ks]
                return parts[0] if len(parts) == 1 else '(?:' + '|'.join(parts) + ')'
            h = len(ks) // 2
            return '(?(?=' + _cls(ks[:h]) + ')' + split(ks[:h]) + '|' + split(ks[h:]) + ')'
        body = split(keys)
        if len(keys) > leaf:
            body = '(?=' + _cls(keys) + ')' + body
        return '(?:' + body + ')?' if term else body
    return node(sorted(set(words)))


def main(argv):
    plain = '--plain' in argv
    args = [a for a in argv if a != '--plain']
    if len(args) != 1:
        sys.stderr.write(__doc__.split('\n\n')[1] + '\n')
        return 2
    words = expand(args[0])
    print(trie(words) if plain else ctrie(words))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
