"""Trainers' evaluation suites: the YAML format, the checks, the runner, the reports, the
baseline gate, and suite skeletons from coaching documents."""
