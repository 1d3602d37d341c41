"""The `accordeer` commands, one module per audience."""
