#!/usr/bin/env python3
"""Checks a qledger proof bundle offline (docs/verification.md sections 8-10):
standard library only, plus the `openssl` command for Ed25519 signatures.

Usage: check_bundle.py BUNDLE.json --key VERIFIERKEY [--key ...] [--trusted NOTE]

Every --key (name+keyid+base64, as `qledger key generate` prints it) must have
signed each checkpoint the bundle uses. Then an inclusion bundle's audit path
must lead from the event's leaf hash to the checkpoint's root, and a
consistency bundle's proof from the old root (of --trusted, else of its signed
from_checkpoint, else its from_root) to the checkpoint's root, with RFC 9162's
algorithms (sections 2.1.3.2 and 2.1.4.2). Prints "ok: ..." and exits 0, or
"FAILED: ..." and exits 1.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify_export import Bad, canon  # noqa: E402  (the canonical JSON of section 2)

DASH = "\u2014 "
SPKI_ED25519 = bytes.fromhex("302a300506032b6570032100")  # DER prefix of an Ed25519 public key


class Failed(Exception):
    pass


def b64(text, size=None):
    try:
        raw = base64.b64decode(text, validate=True)
    except Exception:
        raise Failed("%r is not base64" % text)
    if size is not None and len(raw) != size:
        raise Failed("%r is not base64 of %d bytes" % (text, size))
    return raw


def count(bundle, field):
    v = bundle.get(field)
    if type(v) is not int or v < 0:
        raise Failed("%s: missing, or not a count" % field)
    return v


def text(bundle, field):
    v = bundle.get(field)
    if type(v) is not str:
        raise Failed("%s: missing, or not a string" % field)
    return v


def hashes(bundle, field):
    v = bundle.get(field)
    if type(v) is not list or any(type(h) is not str for h in v):
        raise Failed("%s: missing, or not a list of strings" % field)
    return [b64(h, 32) for h in v]


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def parse_verifier(text):
    name, keyid, key = text.split("+", 2)
    raw = b64(key, 33)
    if raw[0] != 1:
        raise Failed("verifier key %s is not Ed25519" % name)
    pub = raw[1:]
    want = hashlib.sha256(name.encode() + b"\n\x01" + pub).digest()[:4]
    if keyid != want.hex():
        raise Failed("verifier key %s: its id %s is not its key's" % (name, keyid))
    return name, want, pub


def ed25519_verify(pub, message, signature):
    with tempfile.TemporaryDirectory() as d:
        paths = {n: os.path.join(d, n) for n in ("pub.der", "msg", "sig")}
        for n, data in (("pub.der", SPKI_ED25519 + pub), ("msg", message), ("sig", signature)):
            with open(paths[n], "wb") as f:
                f.write(data)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", paths["pub.der"],
                            "-rawin", "-in", paths["msg"], "-sigfile", paths["sig"]], capture_output=True)
        return r.returncode == 0


def checked_checkpoint(note, keys, what):
    """The (origin, size, root) of a signed note that every key signed."""
    text, sep, sigs = note.rpartition("\n\n")
    if not sep or not sigs.endswith("\n"):
        raise Failed("%s: not a signed note" % what)
    text += "\n"
    lines = [l for l in sigs.split("\n") if l]
    for name, keyid, pub in keys:
        ok = False
        for line in lines:
            if not line.startswith(DASH):
                raise Failed("%s: signature line %r does not start with an em dash" % (what, line))
            signer, _, blob = line[len(DASH):].partition(" ")
            raw = b64(blob)
            if signer == name and raw[:4] == keyid and len(raw) == 68:
                ok = ed25519_verify(pub, text.encode(), raw[4:])
                if not ok:
                    raise Failed("%s: the signature of %s does not verify: the note was altered" % (what, name))
        if not ok:
            raise Failed("%s: the note is not signed by %s" % (what, name))
    origin, size, root = text.split("\n")[:3]
    if not size.isdigit() or (len(size) > 1 and size[0] == "0"):
        raise Failed("%s: size %r is not a number" % (what, size))
    return origin, int(size), b64(root, 32)


def verify_inclusion(index, size, leaf, proof, root):
    if index >= size:
        raise Failed("leaf index %d is not below the tree size %d" % (index, size))
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise Failed("the proof has more hashes than the tree has levels")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Failed("the proof has fewer hashes than the tree has levels")
    if r != root:
        raise Failed("the proof does not lead to the root: the leaf is not in this tree")


def verify_consistency(m, n, old_root, new_root, proof):
    if m == 0 or m > n:
        raise Failed("no consistency from a tree of %d to one of %d" % (m, n))
    if m == n:
        if proof or old_root != new_root:
            raise Failed("trees of the same size differ")
        return
    if not proof:
        raise Failed("the proof is empty")
    path = ([old_root] if m & (m - 1) == 0 else []) + proof
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Failed("the proof has more hashes than the trees need")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Failed("the proof has fewer hashes than the trees need")
    if fr != old_root:
        raise Failed("the proof does not lead to the old root")
    if sr != new_root:
        raise Failed("the proof does not lead to the new root: the new tree does not extend the old")


def check(bundle, keys, trusted):
    if type(bundle) is not dict:
        raise Failed("the bundle is not a JSON object")
    kind = bundle.get("type")
    if kind == "qledger.inclusion/v1":
        origin, size, root = checked_checkpoint(text(bundle, "checkpoint"), keys, "checkpoint")
        index = count(bundle, "leaf_index")
        if count(bundle, "tree_size") != size:
            raise Failed("tree_size is not the checkpoint's size")
        if trusted is not None:
            o, s, r = checked_checkpoint(trusted, keys, "trusted")
            if o != origin or s != size:
                raise Failed("the bundle's checkpoint is of size %d of %s, the trusted one of size %d of %s: "
                             "ask for the proof at the trusted size" % (size, origin, s, o))
            if r != root:
                raise Failed("the bundle's checkpoint has another root than the trusted one of the same size: "
                             "the log forked")
        if type(bundle.get("event")) is not dict:
            raise Failed("event: missing, or not an object")
        event = dict(bundle["event"])
        event.pop("hash", None)
        if type(event.get("seq")) is not int or event.get("seq") != index + 1:
            raise Failed("the event's seq is not leaf_index + 1")
        verify_inclusion(index, size, leaf_hash(canon(event).encode()), hashes(bundle, "audit_path"), root)
        return "event %r (seq %d) is in the tree of %d events of %s" % (event.get("id"), index + 1, size, origin)
    if kind == "qledger.consistency/v1":
        origin, size, root = checked_checkpoint(text(bundle, "checkpoint"), keys, "checkpoint")
        m = count(bundle, "from_size")
        if trusted is not None:
            o, s, old_root = checked_checkpoint(trusted, keys, "trusted")
            if s != m or o != origin:
                raise Failed("the trusted checkpoint is not of size %d of %s" % (m, origin))
            if "from_root" in bundle and b64(text(bundle, "from_root"), 32) != old_root:
                raise Failed("the bundle's from_root is not the trusted checkpoint's root: the log was rewritten")
        elif "from_checkpoint" in bundle:
            o, s, old_root = checked_checkpoint(text(bundle, "from_checkpoint"), keys, "from_checkpoint")
            if s != m or o != origin:
                raise Failed("from_checkpoint is not of size %d of %s" % (m, origin))
        else:
            old_root = b64(text(bundle, "from_root"), 32)
        if count(bundle, "to_size") != size:
            raise Failed("to_size is not the checkpoint's size")
        verify_consistency(m, size, old_root, root, hashes(bundle, "proof"))
        return "the tree of %d events of %s extends the tree of %d" % (size, origin, m)
    raise Failed("type %r is not qledger.inclusion/v1 or qledger.consistency/v1" % kind)


def main(argv):
    args, keys, trusted = [], [], None
    it = iter(argv)
    for a in it:
        if a == "--key":
            keys.append(next(it))
        elif a == "--trusted":
            with open(next(it), encoding="utf-8") as f:
                trusted = f.read()
        else:
            args.append(a)
    if len(args) != 1 or not keys:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        with open(args[0], encoding="utf-8") as f:
            bundle = json.load(f)
        what = check(bundle, [parse_verifier(k) for k in keys], trusted)
    except (Failed, Bad, KeyError, ValueError, TypeError) as e:
        print("FAILED: %s" % e)
        return 1
    print("ok: %s, signed by %s" % (what, ", ".join(k.split("+")[0] for k in keys)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
