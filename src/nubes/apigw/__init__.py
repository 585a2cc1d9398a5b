"""What API Gateway's REST APIs, HTTP APIs and Lambda's function URLs share."""
