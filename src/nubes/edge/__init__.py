"""The HTTP edge: the ASGI app, service routing, SigV4 authentication and body decoding."""
