"""The `accordeer` command for people, and the local stack it runs (Kafka, PostgreSQL, services)."""
