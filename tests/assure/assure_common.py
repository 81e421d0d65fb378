"""Helpers shared by the assurance gates (misra.py, analyze.py, coverage.py)."""
import os
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LOGS = {"misra": "spec/misra-deviations.md", "analysis": "spec/analysis-notes.md"}
# D-n deviation, R-n disapplied advisory rule, F-n false positive and P-n
# pending correction (misra-deviations.md); A-n analysis note, U-n
# unreachable branch, M-n misuse-only branch, T-n branch awaiting a test
# (analysis-notes.md).
ENTRY_ID = re.compile(r"\b([DRFPAUMT]-\d+)\b")


def load_log_ids():
    """Entry ids the logs define: a heading or table row starting with the id."""
    ids = {}
    for path in LOGS.values():
        full = os.path.join(ROOT, path)
        if not os.path.exists(full):
            continue
        with open(full, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^(?:#+\s*|\|\s*|-\s+\*\*)([DRFPAUMT]-\d+)\b", line)
                if m:
                    ids[m.group(1)] = path
    return ids


def suppression_comment(comment):
    """(entry id or None, n or None) from the comment of a suppression line."""
    entry = ENTRY_ID.search(comment)
    count = re.search(r"\bn=(\d+)\b", comment)
    return (entry.group(1) if entry else None, int(count.group(1)) if count else None)
