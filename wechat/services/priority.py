"""Which message a citizen's one-time subscribe grant goes to.

Each "accept" from wx.requestSubscribeMessage lets exactly one message with
that template through, and the mini-program asks for few. Several kinds of
notice share a template (every change of an application uses
`application_status_changed`; an operator may configure one template id for
several events), so the first message to come along used to take the grant:
the citizen's own "submitted" notice spent it and the 补正 notice that
mattered was skipped. Now every message has a priority:

1. ACTION: the citizen must act or learn a decision: 补正 (request
   supplement), 不予受理, 不予许可, 审批通过, 办结 and 出件, a call to a window,
   a reply to their case, an appointment cancelled by a hall closure.
2. REMINDER: reminders and news they did not cause: booking reminders,
   受理 (accepted), rating invitations, and any application action not
   listed here.
3. CONFIRMATION: confirmations of what the citizen just did, which the app
   already showed them: booking confirmed, application submitted,
   resubmitted, withdrawn.

The rule: the last unused grant of a template is kept for the most important
priority that template can carry. A message below it takes a grant only
while the citizen holds more than one; otherwise it is skipped ("kept the
last grant for a more important message") and the grant stays. A template
that only one priority uses (booking confirmations have their own) is spent
first come, first served.
"""

from __future__ import annotations

ACTION, REMINDER, CONFIRMATION = 1, 2, 3
NAMES = {ACTION: "action", REMINDER: "reminder", CONFIRMATION: "confirmation"}

APPLICATION_ACTIONS = {
    "request_supplement": ACTION, "refuse": ACTION, "deny": ACTION, "approve": ACTION, "complete": ACTION,
    "deliver": ACTION, "certificate_issued": ACTION,
    "accept": REMINDER,
    "submit": CONFIRMATION, "resubmit": CONFIRMATION, "withdraw": CONFIRMATION,
}

# The priorities each event can carry (the template's most important one decides the reserve).
EVENT_PRIORITIES: dict[str, frozenset[int]] = {
    "application_status_changed": frozenset({ACTION, REMINDER, CONFIRMATION}),
    "called_to_window": frozenset({ACTION}),
    "booking_cancelled": frozenset({ACTION}),  # the hall closed: the citizen must not come
    "case_replied": frozenset({ACTION}),
    "booking_reminder": frozenset({REMINDER}),
    "rating_invitation": frozenset({REMINDER}),
    "booking_confirmed": frozenset({CONFIRMATION}),
}

KEPT_FOR_MORE_IMPORTANT = "kept the last grant for a more important message"


def priority_of(event: str, data: dict) -> int:
    if event == "application_status_changed":
        return APPLICATION_ACTIONS.get(str(data.get("action") or ""), REMINDER)
    return min(EVENT_PRIORITIES.get(event, frozenset({REMINDER})))


def template_top_priority(template_id: str, templates: dict[str, str]) -> int:
    """The most important priority any event configured with this template can carry."""
    carried = [p for event, template in templates.items() if template == template_id
               for p in EVENT_PRIORITIES.get(event, frozenset({REMINDER}))]
    return min(carried, default=REMINDER)


def grants_to_keep(event: str, data: dict, template_id: str, templates: dict[str, str]) -> int:
    """How many unused grants this message must leave for more important ones."""
    return 1 if priority_of(event, data) > template_top_priority(template_id, templates) else 0
