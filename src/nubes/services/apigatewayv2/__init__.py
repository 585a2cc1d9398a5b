"""API Gateway's HTTP APIs (apigatewayv2): the control plane and the data plane."""
