"""``textpipe score``: see the function below for what it does."""
