"""The two pages: the hall display board and the window console.

HTML, CSS and JavaScript modules from this package's static folder (no CDN;
the modules are compiled from screens/ts by `make screens` and committed, see
docs/hall.md), under a Content-Security-Policy that allows scripts, styles and
connections to this origin only: no inline script or style.
"""

from __future__ import annotations

from flask import Blueprint, render_template

pages = Blueprint("screens_pages", __name__, url_prefix="/screens", static_folder="static",
                  static_url_path="/static", template_folder="templates")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@pages.after_request
def _headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@pages.get("/board/<int:hall_id>")
def board(hall_id: int):
    return render_template("screens/board.html", hall_id=hall_id)


@pages.get("/window")
def window():
    return render_template("screens/window.html")
