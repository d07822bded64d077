"""Submissions and their logs arrive with the content-registration issue."""
