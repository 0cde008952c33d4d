"""mlj: the host side of the judge (challenges, grading, sandboxes, reports, server)."""

__version__ = "0.1.0"
