"""Amazon EventBridge (botocore's ``events``): event buses, rules with event patterns or
schedules, targets, PutEvents, and the scheduler that fires scheduled rules."""
