"""Code the Accordeer services share: wire contracts, topic names, settings, PostgreSQL and Kafka plumbing."""
