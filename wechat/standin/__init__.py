"""A local stand-in for the WeChat endpoints we use, for development and
tests; never mounted in production. See docs/wechat.md for its conventions."""

from .app import create_standin_app
from .control import StandInControl

__all__ = ["create_standin_app", "StandInControl"]
