"""The directory as operators maintain it: a YAML or CSV file that is the whole directory, compared with
``directory.parties`` and published as the difference (``accordeer directory load``)."""
