#!/usr/bin/env python3
"""Read a WP JSON report (-wp-report-json) and split it by function.

    wp_split.py REPORT.json

prints three fields: the goals proven and the goals in total over the
functions whose every goal is proven, and the comma-separated list of the
other functions ("-" when there are none). The proof script runs each file
with CVC4 first and runs the functions listed here again with Z3 and CVC4
together (proofs/README.md, "How the provers are run").
"""
import json
import sys


def split(path):
    with open(path, encoding='utf-8') as f:
        report = json.load(f)
    proved = 0
    total = 0
    retry = []
    for fct, goals in sorted(report.get('wp:functions', {}).items()):
        # 'wp:section' sums the function's goals (each goal's 'wp:main'
        # is its best result over the provers)
        main = goals.get('wp:section', {}).get('wp:main', {})
        f_total = main.get('total', 0)
        f_valid = main.get('valid', 0)
        if f_valid == f_total:
            proved += f_valid
            total += f_total
        else:
            retry.append(fct)
    return proved, total, retry


if __name__ == '__main__':
    p, t, r = split(sys.argv[1])
    print(p, t, ','.join(r) if r else '-')
