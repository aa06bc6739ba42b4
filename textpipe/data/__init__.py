"""Loading labelled texts: bundled research datasets and the user's own files.

The module layout:

* :mod:`~textpipe.data.datasets`: :class:`Dataset`, :func:`load_dataset` and the
  bundled datasets;
* :mod:`~textpipe.data.formats`: the format names, shared with scoring, their
  detection from a file name, and how one record of each is read;
* :mod:`~textpipe.data.readers`: one reader per format in :data:`DATA_FORMATS`;
* :mod:`~textpipe.data.decoding`: encoding detection and line splitting that is
  safe for non-UTF-8 research data.

Importing this package loads only the standard library; numpy is imported when
a subsample is drawn.

Examples
--------
>>> from textpipe.data import load_dataset
>>> ds = load_dataset("mr")
>>> ds.name, ds.source, len(ds)
('mr', 'bundled:mr', 10662)
>>> ds.labels[0], ds.texts[0]
('0', 'simplistic , silly and tedious .')
"""

from .datasets import Dataset, bundled_datasets, load_dataset
from .readers import DATA_FORMATS

__all__ = ["DATA_FORMATS", "Dataset", "bundled_datasets", "load_dataset"]
