"""PostgreSQL plumbing: connection pools, migrations, the inbox and the outbox."""
