"""The member dashboard and reports."""
