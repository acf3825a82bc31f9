"""Read: an upload's bytes or a folder's files to specs (``Upload``), refusing bad input."""
