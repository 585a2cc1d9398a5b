"""CloudWatch Logs: log groups, streams and events, durable in SQLite, with retention."""
