"""Each service's copy of the directory (``directory.parties``), kept in its own schema."""
