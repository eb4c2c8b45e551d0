"""What a view says about itself for the contract, where reading its code
cannot tell (mobile_api.contract.error_scan)."""

from __future__ import annotations


def raises(*error_classes):
    """Name the DomainError classes a view raises through calls the scanner
    cannot follow (methods of objects); they join the view's documented codes."""

    def mark(view):
        view._declared_errors = tuple(getattr(view, "_declared_errors", ())) + error_classes
        return view

    return mark
