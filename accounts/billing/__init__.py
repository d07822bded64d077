"""Fees, invoices and billing pages."""
