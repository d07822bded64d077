"""The pieces of bench/matching_eval.py (the one command), by responsibility:

    registry    a fresh evaluation database, the good sample records, the held-out share
    render      CSL-rendered and structured references to sample works
    noise       the seeded noise added to half of the rendered references
    evaluate    matching the rendered references and scoring them per stratum
    gold        the real gold sets of ../shared/data/crossref-sample/reference-matching/
    score       link-level precision / recall / F-scores, tables and the threshold sweep
    throughput  references/s on a large registry, in one or several OS processes

Modules that touch Django import it inside their functions: the command sets Django up
after reading its arguments (and, for the evaluation, after choosing the database).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data" / "crossref-sample"
