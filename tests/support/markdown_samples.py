"""Hand-written ccpm files as they are found in the wild, and one made to exhaust a YAML parser."""

from __future__ import annotations

CCPM_TASK = """\
---
name: Add webhook signature verification
status: open
created: 2025-08-04T13:05:40Z
updated: 2025-08-04T13:05:40Z
github: https://github.com/acme/shop/issues/1234
depends_on: [001, 010]
parallel: false
conflicts_with: [other-epic/003]
---

# Task: Add webhook signature verification

## Description
Verify the `Stripe-Signature` header on every incoming webhook before the payload is
trusted.

## Acceptance Criteria
- [ ] Requests without a signature answer 400
- [x] The signing secret comes from the settings
- [ ] Replayed events older than 5 minutes are refused

## Technical Details
- `payments/webhooks.py`: a `verify_signature(payload, header, secret)` helper
- constant-time comparison (`hmac.compare_digest`)

## Dependencies
- [ ] Task 001 (webhook endpoint) must be merged

## Effort Estimate
- Size: M
- Hours: 8
- Parallel: false

## Definition of Done
- [ ] Code implemented
- [ ] Tests written and passing
- [x] Documentation updated
"""

# Odd spacing, CRLF line endings, a BOM, unicode, sections out of order, some missing, status
# spelled `in_progress`, keys in another case, block lists, quoted refs, a ccpm github placeholder.
ODD_TASK = (
    "\ufeff---  \r\n"
    "name:    Übersetzung der Fehlermeldungen — 日本語も\r\n"
    "Status: in_progress\r\n"
    "depends_on:\r\n"
    "  - 002\r\n"
    '  - "other-epic/003"\r\n'
    "conflicts_with: []\r\n"
    "github: [Will be updated when synced to GitHub]\r\n"
    "priority: high\r\n"
    "labels: [i18n, 'ux: copy']\r\n"
    "effort: half a day\r\n"
    "---\r\n"
    "\r\n"
    "\r\n"
    "#   Task:   Übersetzung der Fehlermeldungen   \r\n"
    "##Definition of Done\r\n"
    "* [X] Alle Meldungen übersetzt\r\n"
    "\r\n"
    "  - [ ]   Review durch Muttersprachler  \r\n"
    "## effort estimate:\r\n"
    "-   size:   s\r\n"
    "- HOURS: 2.5h\r\n"
    "## Description   \r\n"
    "\r\n"
    "\tEine Zeile mit Tab.\r\n"
    "## Notes from the meeting\r\n"
    "Kept inside the description.\r\n"
)

CCPM_EPIC = """\
---
name: payment-webhooks
status: in-progress
created: 2025-08-01T09:00:00Z
progress: 40%
prd: .claude/prds/payment-webhooks.md
github: https://github.com/acme/shop/issues/1200
updated: 2025-08-05T10:30:00Z
---

# Epic: Payment webhooks

## Overview
Receive Stripe webhooks and reconcile payments.

## Architecture Decisions
- One endpoint, one queue
"""

# Nine levels of nine aliases each: hundreds of millions of strings once expanded.
BILLION_LAUGHS = """\
---
name: lol
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
# Task: lol
"""
