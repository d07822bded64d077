"""Work landing pages and the Crossmark status shown on them."""
