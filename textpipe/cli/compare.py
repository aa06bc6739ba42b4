"""``textpipe compare``: see the function below for what it does."""
