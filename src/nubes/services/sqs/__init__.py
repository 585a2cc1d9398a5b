"""Amazon SQS: standard and FIFO queues, durable in SQLite, in the json and query protocols."""
