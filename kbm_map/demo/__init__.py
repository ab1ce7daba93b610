"""A made-up demo region: generated deterministically, loaded in bulk."""

from .loader import load_demo

__all__ = ["load_demo"]
