"""``textpipe pretrain``: see the function below for what it does."""
