"""API Gateway REST APIs (v1): the control plane (APIs, resources, methods,
integrations, deployments, stages, keys, usage plans, authorizers, OpenAPI import) and
the data plane that answers ``<id>.execute-api`` requests from deployed snapshots."""
