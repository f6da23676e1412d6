"""The simulation: the model, its residents, ties, groups, services and levers, week by week."""
