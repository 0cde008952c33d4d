"""mlj command line (placeholder, filled below)."""


def main() -> None:
    pass
