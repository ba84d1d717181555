#!/usr/bin/env python3
"""Prints the loops of the project's module graph, and what the transport must not know.

A module is a .c file together with the header of the same name beside it (a header without
a .c, such as le_bytes.h, is a module of its own). Module A uses module B when A's text names a
function or global variable that B defines (Universal Ctags finds the definitions; static ones
are private to their file and never count, except static inline functions in headers, which
every includer shares). Two modules that use each other, directly or through others, are a
loop: the tree no longer says which of them is built on the other.

The transport (service/src/http/) must not name a route or the analysts' API: no "/v1/"
literal and no fidx__admin_* / fidx__route_* identifier there.

Exit 0 when there is no loop and the transport is clean; 1 otherwise (each problem printed);
2 when ctags is missing. Run from anywhere: python3 tests/layout/module_loops.py [ROOT].
"""
import json
import os
import re
import shutil
import subprocess
import sys

TREES = ("core", "indexer", "service")
TRANSPORT = os.path.join("service", "src", "http")
PUBLIC = os.path.join("core", "include", "fidx") + os.sep
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Comments, then string and character literals: what is inside them names nothing.
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
LITERAL = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'')


def sources(root):
    out = []
    for tree in TREES:
        for dirpath, _, files in os.walk(os.path.join(root, tree)):
            for f in files:
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(dirpath, f), root))
    return sorted(out)


def module_of(path, all_paths):
    """A .c and its header are one module: the header beside it, or core/include/fidx/X.h
    for core/src/**/X.c."""
    base, ext = os.path.splitext(path)
    if ext == ".c":
        return base
    if base + ".c" in all_paths:
        return base
    if path.startswith(PUBLIC):
        stem = os.path.basename(base) + ".c"
        found = [p for p in all_paths if p.startswith("core" + os.sep) and os.path.basename(p) == stem]
        if len(found) == 1:
            return os.path.splitext(found[0])[0]
    return path


def definitions(root, paths):
    """(name -> defining modules, path -> names it only declares)."""
    cmd = ["ctags", "--output-format=json", "--fields=+nK", "--extras=+F", "--kinds-C=fvpx",
           "-f", "-"] + paths
    res = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=True)
    defs, declared = {}, {}
    for line in res.stdout.splitlines():
        tag = json.loads(line)
        if tag.get("_type") != "tag" or tag.get("scope") or tag["name"] == "main":
            continue
        path = tag["path"]
        if tag["kind"] in ("prototype", "externvar"):
            declared.setdefault(path, set()).add(tag["name"])
            continue
        if tag.get("file", False) and not path.endswith(".h"):
            continue  # private to its .c file
        defs.setdefault(tag["name"], set()).add(module_of(path, set(paths)))
    return defs, declared


def strip(text):
    text = COMMENT.sub(" ", text)
    return LITERAL.sub('""', text)


def uses(root, paths, defs, declared):
    """module -> {used module -> the names that make the edge}. A prototype in a header is a
    promise, not a use: a header's edges come from its inline code and macros only."""
    all_paths = set(paths)
    edges = {}
    for path in paths:
        mod = module_of(path, all_paths)
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            text = strip(f.read())
        promised = declared.get(path, set()) if path.endswith(".h") else set()
        for name in set(IDENT.findall(text)) - promised:
            for owner in defs.get(name, ()):
                if owner != mod:
                    edges.setdefault(mod, {}).setdefault(owner, set()).add(name)
    return edges


def loops(edges):
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    nodes = set(edges) | {b for a in edges for b in edges[a]}
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, {}))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, {})))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    m = stack.pop()
                    on.discard(m)
                    comp.append(m)
                    if m == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def transport_problems(root, paths):
    out = []
    for path in paths:
        if not path.startswith(TRANSPORT + os.sep):
            continue
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            raw = COMMENT.sub(" ", f.read())
        for lit in LITERAL.findall(raw):
            if "/v1/" in lit or "/admin" in lit:
                out.append(f"{path}: names a route: {lit}")
        for name in sorted(set(IDENT.findall(strip(raw)))):
            if name.startswith(("fidx__admin_", "fidx__route_")):
                out.append(f"{path}: names the application: {name}")
    return out


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), "..", ".."))
    if not shutil.which("ctags"):
        print("module_loops: ctags (Debian's universal-ctags) is not installed", file=sys.stderr)
        return 2
    paths = sources(root)
    defs, declared = definitions(root, paths)
    edges = uses(root, paths, defs, declared)
    problems = 0
    for comp in loops(edges):
        problems += 1
        print("loop: " + " <-> ".join(comp))
        members = set(comp)
        for a in comp:
            for b in sorted(set(edges.get(a, {})) & members):
                names = ", ".join(sorted(edges[a][b])[:4])
                print(f"    {a} uses {b}: {names}")
    for p in transport_problems(root, paths):
        problems += 1
        print(p)
    n_mod = len({module_of(p, set(paths)) for p in paths})
    print(f"module_loops: {n_mod} modules, {problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
