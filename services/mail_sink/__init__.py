"""The mail sink: a local SMTP server that keeps each received mail as a file, once per Message-ID."""
