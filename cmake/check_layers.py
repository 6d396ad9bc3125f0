#!/usr/bin/env python3
"""check_layers.py — pronto's layering, checked on every build.

    check_layers.py --root <source dir> [--stamp <file>] [--strict]
                    [--objects <layer>=<obj>|<obj>... ...] [--nm <nm>]

The layers (docs/design.md, "Layers"), lowest first; a file may include
headers of its own layer and of lower ranks only (server and client share a
rank and may not include each other):

    wire (0) <- h2 (1) <- transport (2) <- call (3) <- metrics (4)
      <- server (5), client (5) <- services (6), admin (6) <- assembly (7)

Rules, each a failure:
  layer       a file in src/<layer>/ includes a header of a layer above it
              (or of a sibling): "h2/..." from src/wire, "client/..." or
              "pronto/client_call.h" from src/transport, ...
  public      a header in include/pronto/ includes anything but <system>
              headers and "pronto/..." (nothing from src/), or a header of
              nghttp2, asio, OpenSSL, zlib or protobuf
  nghttp2     <nghttp2/...> outside src/h2 (the h2 layer owns nghttp2)
  asio        <asio...> in the sans-I/O layers (src/wire, src/h2)
  symbols     (with --objects) an object file of a layer uses a symbol
              defined by a layer above it or by a sibling (nm)

A public header belongs to the layer named in PUBLIC_HEADER_LAYERS; one not
listed there may not be included from src/. Existing violations that are
being removed are listed in ALLOWED with the reason; an entry that no
longer matches anything is reported (an error with --strict) so the list
only shrinks. The files directly under src/ (status.cc, metadata.cc,
frame_pool.cc, buffer_cache.cc, log.cc) are the base of the wire layer.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys

RANK = {
    "wire": 0, "h2": 1, "transport": 2, "call": 3, "metrics": 4,
    "server": 5, "client": 5, "services": 6, "admin": 6, "assembly": 7,
}

# include/pronto/<header> -> the lowest layer that may include it (the layer
# implementing it). "api" headers (the umbrella) are for users only.
PUBLIC_HEADER_LAYERS = {
    "status.h": "wire",
    "metadata.h": "wire",
    "task.h": "wire",
    "compression.h": "wire",
    "codec.h": "wire",
    "detail/buffer_cache.h": "wire",
    "log.h": "wire",
    "tls.h": "transport",
    "detail/ambient.h": "transport",
    "spawn.h": "wire",
    "detail/call_core.h": "call",
    "server_context.h": "call",
    "interceptor.h": "call",
    "metrics.h": "metrics",
    "access_log.h": "server",
    "server.h": "server",
    "health.h": "server",
    "service.h": "server",
    "channel.h": "client",
    "client_context.h": "client",
    "client_call.h": "client",
    "pronto.h": "api",
}

FORBIDDEN_IN_PUBLIC = ("nghttp2/", "asio", "openssl/", "zlib.h", "google/protobuf/")

# (file, included header or "symbol:<demangled name>", rule) -> why it is
# still allowed. Keep this short: each entry is a violation to remove.
ALLOWED = {
    # (empty: the violations found when the check was written are fixed)
}

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
SOURCE_EXT = (".h", ".hpp", ".cc", ".cpp")


def layer_of_source(rel):
    parts = rel.split("/")
    if parts[0] != "src":
        return None
    if len(parts) == 2:
        return "wire"  # src/status.cc etc.: the base of the wire layer
    return parts[1] if parts[1] in RANK else None


def may_use(user, used):
    if user == used:
        return True
    if used == "api" or used not in RANK:
        return False
    return RANK[used] < RANK[user]


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    # Drop comments well enough for include lines.
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    for m in INCLUDE_RE.finditer(text):
        yield m.group(1), m.group(2).strip()


def walk(root, sub):
    base = os.path.join(root, sub)
    for dirpath, _, files in os.walk(base):
        for name in sorted(files):
            if name.endswith(SOURCE_EXT):
                full = os.path.join(dirpath, name)
                yield full, os.path.relpath(full, root).replace(os.sep, "/")


def check_includes(root, found):
    for full, rel in walk(root, "include/pronto"):
        for kind, inc in includes(full):
            if inc.startswith(FORBIDDEN_IN_PUBLIC):
                found.append((rel, inc, "public", f"public header includes <{inc}>"))
            elif kind == '"' and not inc.startswith("pronto/"):
                found.append((rel, inc, "public", f'public header includes "{inc}" (only "pronto/..." allowed)'))
    for full, rel in walk(root, "src"):
        layer = layer_of_source(rel)
        if layer is None:
            found.append((rel, "", "layer", f"{rel} is in no layer (add its directory to RANK)"))
            continue
        for kind, inc in includes(full):
            if inc.startswith("nghttp2/") and layer != "h2":
                found.append((rel, inc, "nghttp2", f"<{inc}> outside src/h2 (layer {layer})"))
            if inc.startswith("asio") and layer in ("wire", "h2"):
                found.append((rel, inc, "asio", f"<{inc}> in the sans-I/O layer {layer}"))
            used = None
            if inc.startswith("pronto/"):
                used = PUBLIC_HEADER_LAYERS.get(inc[len("pronto/"):], "unlisted")
            elif kind == '"':
                first = inc.split("/")[0]
                if "/" in inc and first in RANK:
                    used = first
                elif "/" in inc and os.path.isdir(os.path.join(root, "src", first)):
                    used = "unlisted"
            if used is None:
                continue
            if used == "unlisted":
                found.append((rel, inc, "layer", f'"{inc}" belongs to no layer (list it in check_layers.py)'))
            elif not may_use(layer, used):
                found.append((rel, inc, "layer", f'layer {layer} includes "{inc}" of layer {used}'))


def nm_symbols(nm, obj):
    out = subprocess.run([nm, "-C", "--extern-only", obj], check=True, capture_output=True, text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        # "<value> <type> <name>" (value blank for undefined symbols)
        m = re.match(r"^[0-9a-fA-F]*\s+([A-Za-z?])\s(.*)$", line)
        if not m:
            continue
        t, name = m.group(1), m.group(2)
        if t == "U":
            undefined.add(name)
        elif t in "TDBRGSu":
            # Only strong global definitions: weak ones (W/V: inline functions,
            # template instances, vtables) are emitted wherever they are used.
            defined.add(name)
    return defined, undefined


def check_symbols(objects, nm, root, found):
    defined_by = {}
    undefined = {}
    jobs = [(layer, obj) for layer, objs in objects.items() for obj in objs]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda j: nm_symbols(nm, j[1]), jobs))
    for layer in objects:
        undefined[layer] = {}
    for (layer, obj), (d, u) in zip(jobs, results):
        for s in d:
            defined_by.setdefault(s, layer)
        for s in u:
            undefined[layer].setdefault(s, os.path.basename(obj))
    for layer, syms in undefined.items():
        bad = {}
        for s, obj in syms.items():
            owner = defined_by.get(s)
            if owner and not may_use(layer, owner):
                bad.setdefault(owner, []).append(f"{s} (used in {obj})")
        for owner, what in sorted(bad.items()):
            found.append((layer, owner, "symbols",
                          f"layer {layer} uses {len(what)} symbol(s) of layer {owner}: " + "; ".join(sorted(what)[:6])))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True)
    ap.add_argument("--stamp")
    ap.add_argument("--strict", action="store_true", help="stale ALLOWED entries are errors")
    ap.add_argument("--objects", nargs="*", default=[], help="<layer>=<obj>|<obj>...")
    ap.add_argument("--nm", default="nm")
    args = ap.parse_args()

    found = []
    if args.objects:
        objects = {}
        for spec in args.objects:
            layer, _, objs = spec.partition("=")
            objects[layer] = [o for o in objs.split("|") if o]
        check_symbols(objects, args.nm, args.root, found)
    else:
        check_includes(args.root, found)

    errors, used = [], set()
    for rel, inc, rule, msg in found:
        key = (rel, inc, rule)
        if key in ALLOWED:
            used.add(key)
            print(f"check_layers: allowed (to remove): {rel}: {msg} -- {ALLOWED[key]}")
        else:
            errors.append(f"{rel}: {msg}")
    mode = "symbols" if args.objects else "includes"
    stale = [k for k in ALLOWED if k not in used and (k[2] == "symbols") == (mode == "symbols")]
    for k in stale:
        print(f"check_layers: ALLOWED entry {k} matches nothing any more: remove it from cmake/check_layers.py")
    if args.strict and stale:
        errors.append("stale ALLOWED entries (see above)")
    for e in errors:
        print(f"check_layers: error: {e}", file=sys.stderr)
    if errors:
        print(f"check_layers: {len(errors)} layering violation(s); the layers are described in docs/design.md",
              file=sys.stderr)
        return 1
    if args.stamp:
        with open(args.stamp, "w") as f:
            f.write("ok\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
