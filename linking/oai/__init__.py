"""OAI-PMH for repository harvesters."""
