"""The works registry arrives with the registry issue."""
