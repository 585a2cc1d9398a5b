"""Running functions: sandboxes, warm pools, limits, the Lambda Runtime API, metering."""
