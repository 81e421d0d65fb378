#!/usr/bin/env python3
"""Print the names of the functions defined in a C file of the core.

The core's style puts every function definition as a signature starting in
column 0 followed by a line holding only "{". The proof script checks the
union of these lists against Frama-C's own list of defined functions, so a
function this scan missed would make the run fail rather than go unproven.
"""
import re
import sys

SIG = re.compile(r'^[A-Za-z_][^;{}()]*?\b([A-Za-z_][A-Za-z0-9_]*)\s*\(')

def functions(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    names = []
    for k, line in enumerate(lines):
        if line != '{':
            continue
        j = k - 1
        # walk back over the continuation lines of the signature
        while j > 0 and (lines[j].startswith(' ') or lines[j].startswith('\t')):
            j -= 1
        m = SIG.match(lines[j])
        if m:
            names.append(m.group(1))
    return names

if __name__ == '__main__':
    print(','.join(functions(sys.argv[1])))
