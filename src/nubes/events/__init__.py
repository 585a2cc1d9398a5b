"""The event bus between services: events written to a durable outbox, delivered to
targets (queues, functions) by a worker that claims them with leases in the store."""
