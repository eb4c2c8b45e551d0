"""The HTTP side of 网上申办."""

from .certificates import blp as certificates_blp
from .citizen import blp as citizen_blp
from . import one_request as _one_request  # noqa: F401  (its view is on citizen_blp)
from .staff import blp as staff_blp
from .themes import blp as themes_blp

BLUEPRINTS = (citizen_blp, themes_blp, staff_blp, certificates_blp)
