"""French-first podcast and TV-show summariser and newsletter generator."""

__version__ = "0.1.0"
