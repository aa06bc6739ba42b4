"""A stage whose module needs a library that is not installed."""

import textpipe_doclength_missing_dependency  # noqa: F401


class NeedsMissing:
    pass
