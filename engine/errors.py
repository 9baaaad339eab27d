"""The one base of every error that is the user's own mistake.

A bad file, a bad amount, a bad replay or a bad journal raises a subclass of
``UserFacingError`` whose ``str()`` is the one line to show; the command line
catches this base alone and never prints a traceback for it. Anything else is a
bug in the sandbox, and shows as one.
"""


class UserFacingError(ValueError):
    """A mistake in what the user gave us; ``str()`` is the one-line reason."""
