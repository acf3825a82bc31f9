"""Imperative verbs a task title may start with ("verb + noun", SPEC §5 lint).

Lower case. Words ending in -ize/-ify are accepted without being listed (see lint.py).
Words that lead titles more often as nouns than as verbs ("time", "model", "version",
"setup") are left out on purpose: a false "fine" is worse here than a false "not a verb".
"""

from __future__ import annotations

_WORDS = """
    accept add adjust adopt aggregate align allow analyse analyze annotate apply archive assert
    assess attach audit automate backfill backport benchmark block bootstrap build bump bundle
    cache calculate call capture change check clarify clean clear close collect combine compile
    complete compress configure connect consolidate convert copy correct create debug decide
    decouple dedupe deduplicate define delete deploy deprecate derive describe design detect
    disable display document downgrade draft drop edit emit enable encode encrypt enforce
    enhance ensure estimate evaluate expand explain export expose extend extract fetch fill
    filter finalize find fix flag flatten forbid format generate guard handle harden hide hook
    implement import improve include index inline install instrument integrate introduce
    investigate isolate keep limit lint list load localise localize lock log make map mark
    measure merge migrate mock monitor move normalise normalize notify offer optimise optimize
    organise organize package parse patch persist pin plan poll port prepare prevent propagate
    protect prototype provide prune publish purge query queue read rebuild redesign reduce
    refactor refine register reject release remove rename render reorder replace report research
    reset resolve restore restrict restructure retry return reuse review revise rewrite rotate
    route run sanitise sanitize save scaffold scan schedule secure seed send separate serialise
    serialize serve set share ship show simplify sort speed split stabilise stabilize
    standardise standardize start stop store stream streamline strip support swap switch sync
    tag test throttle tidy trace track translate trim tune unify uninstall update upgrade upload
    use validate verify wire wrap write
"""

ACTION_VERBS: frozenset[str] = frozenset(_WORDS.split())
