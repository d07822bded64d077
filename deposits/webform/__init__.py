"""The web deposit form: records without XML, through the same pipeline as uploads."""
