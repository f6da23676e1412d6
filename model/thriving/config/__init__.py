"""Configuration: the scenario schema, YAML loading, messages, experiments, wards and run specs."""
