#!/usr/bin/env python3
"""Independent verifier of a qledger export (SPEC section 5), standard library only.
Usage: verify_export.py [--print-canonical] [EXPORT.jsonl | -]   (stdin if no file)

The export is JSON Lines, one event per line, each holding
seq, id, type, [department], [period], occurred_at, actor, recorded_at, data, [source], hash.
For every line, in order:
  * seq must be 1, 2, 3, ... without gaps;
  * hash must equal SHA-256(previous hash as 32 raw bytes || canonical JSON of the
    event without its "hash" key), as 64 lowercase hex digits; the first event's
    previous hash is 32 zero bytes.
Canonical JSON: UTF-8; object keys sorted by the UTF-8 bytes of the key; no
whitespace; strings escaped minimally (only '"', '\\' and control characters
below 0x20: \\n \\r \\t \\b \\f short, the others as \\u00xx in lowercase hex;
everything else, 0x7f included, as raw UTF-8); integers in plain decimal;
true/false/null. Floats are an error (decimals travel as strings).

Prints "ok: N events, head seq S hash H" and exits 0, or
"bad event at seq S (line L): <why>" and exits 1.
--print-canonical writes each event's canonical bytes (one per line) first.
"""
import hashlib
import json
import sys

SHORT = {'"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f'}
FIELDS = {"seq", "id", "type", "department", "period", "occurred_at", "actor", "recorded_at", "data", "source", "hash"}
REQUIRED = FIELDS - {"department", "period", "source"}


class Bad(Exception):
    """A reason why the current line is bad."""


def canon_str(s):
    """Minimal escaping: '"', '\\' and < 0x20 only; everything else (0x7f too) raw."""
    return '"' + ''.join(SHORT.get(c) or ('\\u%04x' % ord(c) if c < ' ' else c) for c in s) + '"'


def canon(v):
    """Canonical JSON text of a parsed value (encode the result as UTF-8)."""
    if v is None or isinstance(v, bool):
        return {None: 'null', True: 'true', False: 'false'}[v]
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return canon_str(v)
    if isinstance(v, list):
        return '[' + ','.join(canon(x) for x in v) + ']'
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: k.encode('utf-8'))
        return '{' + ','.join(canon_str(k) + ':' + canon(v[k]) for k in keys) + '}'
    raise Bad('value of type %s is not allowed (decimals must be strings)' % type(v).__name__)


def no_float(text):  # also receives NaN / Infinity
    raise Bad('float %s is not allowed (decimals must be strings)' % text)


def no_dup_keys(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise Bad('duplicate key %r' % k)
        obj[k] = v
    return obj


def main(argv):
    show = '--print-canonical' in argv
    args = [a for a in argv if a != '--print-canonical']
    if len(args) > 1 or any(a.startswith('--') for a in args):
        print('usage: verify_export.py [--print-canonical] [EXPORT.jsonl | -]', file=sys.stderr)
        return 2
    src = sys.stdin.buffer if not args or args[0] == '-' else open(args[0], 'rb')
    prev, count, seq, lineno = bytes(32), 0, 0, 0
    for lineno, raw in enumerate(src, 1):
        if not raw.strip():
            continue  # tolerate blank lines (e.g. a trailing newline)
        where = 'seq %d (line %d)' % (count + 1, lineno)
        try:
            ev = json.loads(raw.decode('utf-8'), parse_float=no_float,
                            parse_constant=no_float, object_pairs_hook=no_dup_keys)
            if not isinstance(ev, dict):
                raise Bad('line is not a JSON object')
            if isinstance(ev.get('seq'), int) and not isinstance(ev.get('seq'), bool):
                where = 'seq %d (line %d)' % (ev['seq'], lineno)
            for what, keys in (('missing', REQUIRED - set(ev)), ('unknown', set(ev) - FIELDS)):
                if keys:
                    raise Bad('%s field(s): %s' % (what, ', '.join(sorted(keys))))
            seq = ev['seq']
            if isinstance(seq, bool) or seq != count + 1:
                raise Bad('seq is %r, expected %d' % (seq, count + 1))
            stated = ev.pop('hash')
            body = canon(ev).encode('utf-8')  # raises on lone surrogates too
            if show:
                sys.stdout.buffer.write(body + b'\n')
                sys.stdout.flush()
            digest = hashlib.sha256(prev + body).hexdigest()
            if stated != digest:
                raise Bad('hash mismatch: line has %s, recomputed %s' % (stated, digest))
        except (Bad, ValueError, UnicodeError) as e:
            print('bad event at %s: %s' % (where, e))
            return 1
        prev, count = bytes.fromhex(digest), count + 1
    if count == 0:
        print('bad event at seq 1 (line %d): export is empty' % (lineno + 1))
        return 1
    print('ok: %d events, head seq %d hash %s' % (count, seq, prev.hex()))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
