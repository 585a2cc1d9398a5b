"""The zygote, the sandbox set-up and the Python Lambda runtime (Python 3.10+, stdlib only)."""
