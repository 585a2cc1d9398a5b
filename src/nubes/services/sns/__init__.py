"""Amazon SNS: topics, subscriptions (sqs, lambda, http, https), Publish and delivery."""
