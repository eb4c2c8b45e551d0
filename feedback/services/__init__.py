"""feedback's use cases: plain functions taking the session (of the caller's
unit of work), the acting principal, a clock and the rules. They never
commit or roll back: the request's unit of work (or the CLI's) ends the
transaction; the two reads that must stay audited even if the answer fails
are named `commit_point`s in `access` and `rectifications`.

- access: every object rule of the package (cases, ratings, rectifications),
  through identity.access;
- cases: the citizen's side of a case (submit, list, satisfaction, reopen);
- handling: the staff side (queue, dispatch, transfer, return, reply, extension);
- closing: close a case (and invite a rating) or reopen it;
- timeline: the case's timeline entries;
- uploads: photo uploads;
- ratings, invitations, rectifications, stats: 好差评;
- sweep: the periodic job;
- served, privacy: what feedback registers in mobile_api.hooks.
"""
