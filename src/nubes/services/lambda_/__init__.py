"""AWS Lambda: functions, versions, aliases, layers, permissions and invocation."""
