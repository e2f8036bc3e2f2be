"""The installed version of tiintel."""

__version__ = "0.1.0.dev0"
