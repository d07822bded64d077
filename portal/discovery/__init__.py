"""Search pages and directories of members, journals and funders."""
