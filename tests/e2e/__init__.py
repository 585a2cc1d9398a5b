"""End-to-end tests of the examples: deployed and used as their README says."""
