"""The write path: every change to listings goes through a function in this package."""
