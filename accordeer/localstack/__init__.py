"""Real Apache Kafka and PostgreSQL on one machine without Docker, for `make run` and the tests."""
